"""Make `model.fit` work under `tf.distribute.MultiWorkerMirroredStrategy` with zoo models.

Keras 3 (checked on 3.15.1, the version this project pins) reduces the logs of a
multi-worker `fit` with `strategy.reduce("MEAN", value, axis=0)`
(`keras.src.backend.tensorflow.trainer.reduce_per_replica`). A custom `train_step`
returns scalar metric results, and reducing a scalar over axis 0 fails on every model
with "Invalid reduction dimension 0 for input with 0 dimensions"
(tensorflow/tensorflow#72388). `patch_multi_worker_scalar_logs` wraps that function so
scalar values get a length-1 axis before this reduction; the reduced log is the same
mean over workers. Every zoo model (and `ImageClassifier`) applies it through
`MultiWorkerLogsFix` when `fit` or `evaluate` builds its function under a multi-worker
strategy, and only if the installed Keras still contains the failing reduction: users
need no special handling, importing zoo changes nothing in Keras, and a fixed Keras or a
single-worker run is left alone.

#### Examples

On every worker, with `TF_CONFIG` set:

```python
import zoo.models

strategy = tf.distribute.MultiWorkerMirroredStrategy()  # patches nothing yet
with strategy.scope():
    vae = zoo.models.VAE.mlp((784,), 16)
    vae.compile(optimizer="adam")
vae.fit(dataset, epochs=1)  # `make_train_function` applies the fix first
```
"""

import functools
import inspect

import tensorflow as tf
from keras.src.backend.tensorflow import trainer

_FAILING_REDUCTION = 'strategy.reduce("MEAN", v, axis=0)'


def _needs_patch() -> bool:
    """Whether this Keras reduces multi-worker logs over axis 0 (fails on scalars)."""
    reduce_per_replica = trainer.reduce_per_replica
    if getattr(reduce_per_replica, "_zoo_patched", False):
        return False
    try:
        return _FAILING_REDUCTION in inspect.getsource(reduce_per_replica)
    except (OSError, TypeError):  # source unavailable: leave Keras alone
        return False


def patch_multi_worker_scalar_logs() -> bool:
    """Give scalar logs an axis before Keras' multi-worker mean reduction (idempotent).

    Returns:
        True if Keras was patched by this call, False if it was not affected or already
        patched.
    """
    if not _needs_patch():
        return False
    original = trainer.reduce_per_replica

    @functools.wraps(original)
    def reduce_per_replica(values, strategy, reduction):
        if reduction in ("auto", "mean") and trainer._collective_all_reduce_multi_worker(strategy):
            values = tf.nest.map_structure(
                lambda v: (
                    tf.reshape(v, [1]) if isinstance(v, tf.Tensor) and v.shape.rank == 0 else v
                ),
                values,
            )
        return original(values, strategy, reduction)

    reduce_per_replica._zoo_patched = True
    trainer.reduce_per_replica = reduce_per_replica
    return True


def fix_multi_worker_logs(strategy) -> bool:
    """`patch_multi_worker_scalar_logs` if `strategy` runs collectives over several workers.

    Args:
        strategy: A `tf.distribute.Strategy` (a model's `distribute_strategy`).

    Returns:
        True if Keras was patched by this call.
    """
    if not trainer._collective_all_reduce_multi_worker(strategy):
        return False
    return patch_multi_worker_scalar_logs()


class MultiWorkerLogsFix:
    """Mixin of a `keras.Model`: `fix_multi_worker_logs` before `fit` / `evaluate` trace.

    Keras traces the multi-worker reduction of the logs inside the functions that
    `make_train_function` and `make_test_function` build, so the fix is applied there,
    for this model's strategy.
    """

    def make_train_function(self, force=False):
        fix_multi_worker_logs(self.distribute_strategy)
        return super().make_train_function(force)

    def make_test_function(self, force=False):
        fix_multi_worker_logs(self.distribute_strategy)
        return super().make_test_function(force)
