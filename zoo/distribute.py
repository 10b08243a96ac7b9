"""Make `model.fit` work under `tf.distribute.MultiWorkerMirroredStrategy` with zoo models.

Keras 3 (checked on 3.15.1, the version this project pins) reduces the logs of a
multi-worker `fit` with `strategy.reduce("MEAN", value, axis=0)`
(`keras.src.backend.tensorflow.trainer.reduce_per_replica`). A custom `train_step`
returns scalar metric results, and reducing a scalar over axis 0 fails on every model
with "Invalid reduction dimension 0 for input with 0 dimensions"
(tensorflow/tensorflow#72388). `patch_multi_worker_scalar_logs` wraps that function so
scalar values get a length-1 axis before this reduction; the reduced log is the same
mean over workers. It is applied when `zoo.models` (any model module) is imported, and
only if the installed Keras still contains the failing reduction, so users need no
special handling and a fixed Keras is left alone.

#### Examples

On every worker, with `TF_CONFIG` set:

```python
import zoo.models

strategy = tf.distribute.MultiWorkerMirroredStrategy()
with strategy.scope():
    vae = zoo.models.VAE.mlp((784,), 16)
    vae.compile(optimizer="adam")
vae.fit(dataset, epochs=1)
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


patch_multi_worker_scalar_logs()
