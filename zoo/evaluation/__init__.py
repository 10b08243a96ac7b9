"""Evaluation: likelihood estimators (AIS, importance-weighted), sample-quality metrics, n-gram baselines.

The modules `zoo.evaluation.sample_quality` (FD, KID, `sample_quality`) and
`zoo.evaluation.mode_coverage` are imported by name; their namesake functions are not
re-exported here, so the module names stay unshadowed.
"""

from zoo.evaluation.ais import ais_schedule, annealed_importance_sampling
from zoo.evaluation.importance_weighted import importance_weighted_log_prob
from zoo.evaluation.ngram import KneserNeyNGram
from zoo.evaluation.sample_quality import frechet_distance, kernel_inception_distance

__all__ = [
    "KneserNeyNGram",
    "ais_schedule",
    "annealed_importance_sampling",
    "frechet_distance",
    "importance_weighted_log_prob",
    "kernel_inception_distance",
]
