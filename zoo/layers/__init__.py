"""Shared Keras layers (masked dense/conv, minibatch discrimination, virtual batch norm, ...)."""
