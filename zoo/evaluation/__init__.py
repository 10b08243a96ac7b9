"""Evaluation: likelihood estimators (AIS, importance-weighted) and sample-quality metrics."""

from zoo.evaluation.ais import annealed_importance_sampling, ais_schedule
from zoo.evaluation.importance_weighted import importance_weighted_log_prob
from zoo.evaluation.mode_coverage import mode_coverage
from zoo.evaluation.sample_quality import (
    frechet_distance,
    kernel_inception_distance,
    sample_quality,
)

__all__ = [
    "ais_schedule",
    "annealed_importance_sampling",
    "frechet_distance",
    "importance_weighted_log_prob",
    "kernel_inception_distance",
    "mode_coverage",
    "sample_quality",
]
