"""Evaluation: likelihood estimators (AIS, importance-weighted) and sample-quality metrics.

`Estimate` is the one result type of the estimators of a log-quantity (`log_partition`,
`annealed_importance_sampling`): the value, its standard error (0 when exact), the method
and optional diagnostics.

The modules `zoo.evaluation.sample_quality` (FD, KID, `sample_quality`) and
`zoo.evaluation.mode_coverage` are imported by name; their namesake functions are not
re-exported here, so the module names stay unshadowed.
"""

from zoo._lazy import attach

__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "ais": ["ais_schedule", "annealed_importance_sampling"],
        "estimate": ["Estimate"],
        "importance_weighted": ["importance_weighted_log_prob"],
        "ngram": ["KneserNeyNGram"],
        "sample_quality": ["frechet_distance", "kernel_inception_distance"],
    },
)
