"""`compile()` without arguments for the energy models: SGD with momentum, their usual optimizer."""

import keras


class DefaultOptimizerMixin:
    """Let `model.compile()` pick the model's `_default_optimizer()`.

    `.keras` files still restore the optimizer that was actually used (via
    `compile_from_config`).
    """

    def _default_optimizer(self):
        return keras.optimizers.SGD(learning_rate=0.1, momentum=0.5)

    def compile(self, optimizer=None, **kwargs):
        """`keras.Model.compile`; without an optimizer, this model's default SGD with momentum."""
        super().compile(
            optimizer=optimizer if optimizer is not None else self._default_optimizer(), **kwargs
        )

    def _optimized_variables(self):
        """The variables `train_step` hands to the optimizer."""
        return self.trainable_variables

    def compile_from_config(self, config):
        self.compile(**keras.saving.deserialize_keras_object(config))
        self.optimizer.build(self._optimized_variables())
