"""Evaluation: likelihood estimators and sample-quality metrics."""
