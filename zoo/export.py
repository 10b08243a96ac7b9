"""SavedModel export with one named serving signature per thing the model can do.

A zoo model is more than its `call`: a VAE encodes, decodes, samples and scores, a GAN
generates and discriminates. Each model declares the methods of the zoo's contract it
implements in `contract_methods` (see `zoo.models.base.GenerativeModel` and
`CONTRACT_METHODS`); `export_saved_model` reads that declaration and writes a standalone
SavedModel (through `keras.export.ExportArchive`) with one signature for each declared
method.
The artifact needs neither `zoo` nor TensorFlow Probability to load: TensorFlow alone
serves it, and so does TF Serving.

| signature | inputs | outputs |
| --- | --- | --- |
| `sample` | `num_samples` int32 scalar, `seed` int32 scalar | `samples` |
| `generate`, `decode` | `z` float32 `[batch, *latent_shape]` | `samples` / distribution tensors |
| `log_prob`, `elbo`, `free_energy` | `x` float32 `[batch, *data_shape]` | that name, `[batch]` |
| `encode`, `reconstruct`, `discriminate` | `x` | distribution tensors, `reconstruction`, `logits` |
| `classify`, `features` | `x` | `logits` `[batch, classes]` / `features` (the classifier) |
| `serving_default` | as `sample` (`reconstruct`: autoencoders, `classify`: the classifier) | |

A conditional model (one whose `condition_spec` is set, e.g. `GAN(num_classes=K)`,
`PixelCNN(num_classes=K)`, `MADE(conditional_dim=d)`) takes one more input, `condition`
(int32 labels `[batch]`, or float32 vectors `[batch, d]`), in the signatures of the methods
its `ConditionSpec.methods` names: `sample(num_samples, seed, condition)` serves
`model.sample(num_samples, seed=seed, condition=condition)`. The methods a joint model of
data and labels only clamps (`ConditionSpec.clamps`, a labelled DBN's `sample`) are served
without it: they draw the labels.

Sampling signatures are stateless: the same `seed` gives the same samples as
`model.sample(num_samples, seed=seed)` in memory. Methods that return a
`tfp.distributions.Distribution` are exported as a dict of its tensors (`mean` and `stddev`,
plus `probs` and `logits` for discrete distributions); `signature_outputs` gives, for a
result computed in memory, the outputs its signature serves. Estimators are fixed at
export time: keyword arguments for `log_prob` (for example the number of importance
samples of a VAE) are baked into the signature, energy models get their log Z computed
once at export (exactly, or by AIS when asked), and methods that take a `seed` get a
fixed one, so a signature is a deterministic function of its inputs. What each signature
computes, estimator included, is recorded in `assets.extra/signatures.json` inside the
SavedModel, with the methods the model has but leaves out of `contract_methods` for its
configuration (a SoftmaxRBM has no single log Z, so no `log_prob`; an unlabelled DBN has
no `classify`).
"""

import inspect
import json
import pathlib

import keras
import tensorflow as tf

from zoo.evaluation.estimate import Estimate
from zoo.models.contract import (
    CONTRACT_METHODS,
    condition_spec_of,
    data_shape_of,
    is_distribution,
    latent_shape_of,
)

# Method name -> its input (None: `sample`'s num_samples and seed): every contract method
# but `log_partition`, which is fixed at export for `log_prob`. Order matters: `sample`
# comes first so that Keras' fallback for `serving_default` would also be `sample`.
SIGNATURE_METHODS = {
    name: input_name for name, input_name in CONTRACT_METHODS.items() if name != "log_partition"
}
#: Method name -> the name of its signature's output tensor, where that is not the method's
#: own name (`log_prob` returns `log_prob`). See `signature_outputs`.
OUTPUT_NAMES = {
    "sample": "samples",
    "generate": "samples",
    "reconstruct": "reconstruction",
    "discriminate": "logits",
    "classify": "logits",
    "features": "features",
}
# `serving_default` is the first of these the model has (else its first signature).
DEFAULT_PREFERENCE = ("sample", "reconstruct", "classify")
SIGNATURES_DOC = pathlib.Path("assets.extra") / "signatures.json"


def export_saved_model(
    model, path, *, log_prob_kwargs=None, log_partition_kwargs=None, seed=0, verbose=False
):
    """Write `model` as a SavedModel with a named signature per supported method.

    Args:
        model: A built zoo model (a `keras.Model` with a `data_shape` attribute and, for
            latent models, `latent_dim`; a conditional one with its `condition_spec`).
        path: Output folder (created; must not hold another SavedModel you want to keep).
        log_prob_kwargs: Keyword arguments fixed into the `log_prob` signature, e.g.
            `{"num_samples": 1000}` for an importance-weighted VAE bound. Default: the
            model's own defaults.
        log_partition_kwargs: For energy models (with `log_partition`): arguments of the
            `log_partition` call made once at export, whose log Z the `log_prob` signature
            then uses, e.g. `{"method": "ais", "num_chains": 100, "seed": 0}`. Default
            `{"method": "exact"}`. The value is recorded in the signature docs.
        seed: Integer seed fixed into methods that take a `seed` argument besides
            `sample` (a stochastic `log_prob` or `elbo` estimate), so the signature is
            deterministic. Ignored by `sample`, whose seed is an input.
        verbose: Print the endpoints Keras writes.

    Returns:
        `path`, as a `pathlib.Path`.

    Raises:
        ValueError: if the model has no `data_shape` or no weights, declares no
            `contract_methods` (or names outside `CONTRACT_METHODS`), or declares none of
            the methods in `SIGNATURE_METHODS`.

    #### Examples

    ```python
    vae = zoo.load("vae_mnist", pretrained=False)
    zoo.export_saved_model(vae, "/srv/models/vae/1")
    served = tf.saved_model.load("/srv/models/vae/1")
    sample = served.signatures["sample"]
    sample(num_samples=tf.constant(4), seed=tf.constant(0))
    ```

    #### References

    TensorFlow Serving, "SignatureDefs in SavedModel for TensorFlow Serving",
    https://www.tensorflow.org/tfx/serving/signature_defs
    """
    path = pathlib.Path(path)
    if not model.weights:
        raise ValueError("The model has no weights yet; build it (call it on a batch) first.")
    data_shape = data_shape_of(model)
    if data_shape is None:
        raise ValueError(
            f"{type(model).__name__} has no `data_shape` attribute; zoo models expose the "
            "shape of one example as `data_shape` so that export can build input specs."
        )
    latent_shape = latent_shape_of(model)
    condition_spec = condition_spec_of(model)
    conditioned = () if condition_spec is None else condition_spec.methods
    specs = {
        "x": tf.TensorSpec([None, *data_shape], tf.float32, name="x"),
        "z": None
        if latent_shape is None
        else tf.TensorSpec([None, *latent_shape], tf.float32, name="z"),
    }

    archive = keras.export.ExportArchive()
    # Tracking the model also saves Keras' default signature, `call` traced on its build
    # inputs alone, which a model conditioned on an input (a class-conditional PixelCNN)
    # cannot run without it. Untracked, the endpoints' traces still collect every variable
    # they use.
    if model.built and not conditioned:
        archive.track(model)
    declared = _declared_methods(model)
    endpoints, docs = {}, {}
    skipped = {
        name: f"{type(model).__name__}.contract_methods leaves it out for this configuration"
        for name in SIGNATURE_METHODS
        if name not in declared and callable(getattr(model, name, None))
    }
    for method_name, input_name in SIGNATURE_METHODS.items():
        if method_name not in declared or (input_name and specs[input_name] is None):
            continue
        method = getattr(model, method_name)
        kwargs = dict(log_prob_kwargs or {}) if method_name == "log_prob" else {}
        if method_name != "sample" and "seed" in inspect.signature(method).parameters:
            kwargs.setdefault("seed", seed)
        doc = {}
        if method_name == "log_prob" and "log_partition" in declared:
            doc["log_partition"] = _fix_log_partition(model, log_partition_kwargs)
        condition = condition_spec.tensor_spec() if method_name in conditioned else None
        endpoint = _endpoint(method_name, method, specs.get(input_name), kwargs, condition)
        endpoints[method_name] = archive.add_endpoint(method_name, endpoint)
        outputs = endpoint.get_concrete_function().structured_outputs
        docs[method_name] = doc | {
            "computes": f"{type(model).__name__}.{method_name}({_call_args(input_name, kwargs)})",
            "summary": _first_line(method.__doc__),
            "fixed_kwargs": kwargs,
            "outputs": sorted(outputs),
        }
    if not docs:
        raise ValueError(
            f"{type(model).__name__} declares none of the exportable methods "
            f"{', '.join(SIGNATURE_METHODS)} in its contract_methods."
        )
    default = next((n for n in DEFAULT_PREFERENCE if n in docs), next(iter(docs)))
    archive.add_endpoint("serving_default", endpoints[default])
    docs["serving_default"] = {"same_as": default}

    archive.write_out(str(path), verbose=verbose)
    _write_docs(path, model, docs, skipped)
    return path


def _declared_methods(model):
    """The model's `contract_methods`, checked against `CONTRACT_METHODS`."""
    declared = getattr(model, "contract_methods", None)
    if declared is None:
        raise ValueError(
            f"{type(model).__name__} declares no `contract_methods`: export signs the "
            "methods a model declares there (see zoo.models.base.GenerativeModel)."
        )
    unknown = sorted(set(declared) - CONTRACT_METHODS.keys())
    if unknown:
        raise ValueError(
            f"{type(model).__name__}.contract_methods names {unknown}, which are not in "
            f"the contract ({', '.join(CONTRACT_METHODS)})."
        )
    return tuple(declared)


def _fix_log_partition(model, log_partition_kwargs):
    """Fix log Z for `log_prob`; return its record.

    Without `log_partition_kwargs`, a log Z the model already holds for its current weights
    (for example the AIS estimate published with a preset) is used as is; otherwise log Z is
    computed once (exact by default) and the model caches it.
    """
    # The contract's `cached_log_partition` (`GenerativeModel`); a model outside the zoo
    # that declares `log_partition` may hold none.
    cached = getattr(model, "cached_log_partition", None)
    if log_partition_kwargs is None and cached is not None:
        return {"kwargs": "log Z cached with the model's weights", "log_z": float(cached)}
    kwargs = dict(log_partition_kwargs or {"method": "exact"})
    try:
        result = model.log_partition(**kwargs)
    except ValueError as error:
        raise ValueError(
            f"Cannot export log_prob: log_partition({_call_args('', kwargs)}) failed ({error}). "
            'Pass log_partition_kwargs={"method": "ais", ...} to estimate log Z instead.'
        ) from error
    # A model outside the zoo may still return log Z as a plain tensor.
    log_z = result.value if isinstance(result, Estimate) else result
    return {"kwargs": kwargs, "log_z": float(log_z)}


def _endpoint(method_name, method, spec, kwargs, condition_spec=None):
    """A traced `tf.function` calling `method` with a serving-friendly signature.

    With `condition_spec` (the `tf.TensorSpec` of a batch of conditions), the signature
    takes a `condition` input too.
    """
    if method_name == "sample" and condition_spec is not None:

        def serve(num_samples, seed, condition):
            return signature_outputs(
                method_name, method(num_samples, seed=seed, condition=condition)
            )

        input_signature = [
            tf.TensorSpec([], tf.int32, name="num_samples"),
            tf.TensorSpec([], tf.int32, name="seed"),
            condition_spec,
        ]
    elif method_name == "sample":

        def serve(num_samples, seed):
            return signature_outputs(method_name, method(num_samples, seed=seed))

        input_signature = [
            tf.TensorSpec([], tf.int32, name="num_samples"),
            tf.TensorSpec([], tf.int32, name="seed"),
        ]
    elif condition_spec is not None:

        def serve(inputs, condition):
            return signature_outputs(method_name, method(inputs, condition=condition, **kwargs))

        input_signature = [spec, condition_spec]
    elif spec.name == "z":

        def serve(z):
            return signature_outputs(method_name, method(z, **kwargs))

        input_signature = [spec]
    else:

        def serve(x):
            return signature_outputs(method_name, method(x, **kwargs))

        input_signature = [spec]
    serve.__name__ = method_name
    fn = tf.function(serve, input_signature=input_signature)
    fn.get_concrete_function()  # trace now, so errors name the method being exported
    return fn


def signature_outputs(method_name, result):
    """The outputs the `method_name` signature serves for `result`, a call's result.

    What an exported signature returns, so that a result computed in memory (for example
    `model.sample(3, seed=7)`) can be compared with what the SavedModel serves.

    Args:
        method_name: A contract method's name, e.g. `"sample"` or `"encode"`.
        result: What `getattr(model, method_name)(...)` returned: a tensor, a tuple or
            list of tensors, a dict of tensors, or a `tfp.distributions.Distribution`.

    Returns:
        A dict of tensors: a tensor under `OUTPUT_NAMES.get(method_name, method_name)`
        (`samples` for `sample`), a tuple's items under that name with `_0`, `_1`, ...,
        a dict's items under their keys, a distribution as `distribution_tensors`.

    Raises:
        ValueError: for a distribution with neither mean nor parameters.

    #### Examples

    ```python
    served = tf.saved_model.load(path).signatures["sample"]
    expected = signature_outputs("sample", model.sample(3, seed=7))
    got = served(num_samples=tf.constant(3), seed=tf.constant(7))
    np.testing.assert_allclose(got["samples"], expected["samples"])
    ```
    """
    name = OUTPUT_NAMES.get(method_name, method_name)
    if isinstance(result, dict):
        return {str(k): tf.convert_to_tensor(v) for k, v in result.items()}
    if isinstance(result, (tuple, list)):
        return {f"{name}_{i}": tf.convert_to_tensor(v) for i, v in enumerate(result)}
    if is_distribution(result):
        return distribution_tensors(result)
    return {name: tf.convert_to_tensor(result)}


def distribution_tensors(distribution):
    """The serving tensors of a `tfp.distributions.Distribution`.

    Args:
        distribution: Any TFP distribution (also wrapped in `Independent`).

    Returns:
        A dict with `mean` and, where defined, `stddev`; discrete distributions with
        parameters `probs` / `logits` (Bernoulli, Categorical, OneHotCategorical) also
        give those.
    """
    base = distribution
    while is_distribution(getattr(base, "distribution", None)):
        base = base.distribution  # Independent, ... keep their event shape for mean
    tensors = {}
    for name, statistic in (("mean", distribution.mean), ("stddev", distribution.stddev)):
        try:
            tensors[name] = statistic()
        except NotImplementedError:
            pass
    for name in ("probs", "logits"):
        parameter = getattr(base, f"{name}_parameter", None)
        if parameter is not None:
            tensors[name] = parameter()
    if not tensors:
        raise ValueError(f"Cannot export a {type(distribution).__name__}: no mean or parameters.")
    return tensors


def _call_args(input_name, kwargs):
    """`"x, k=v"`: how a signature calls its method (input_name None: the sample call)."""
    args = ["num_samples, seed=seed"] if input_name is None else [input_name]
    args = [a for a in args if a] + [f"{k}={v!r}" for k, v in kwargs.items()]
    return ", ".join(args)


def _first_line(doc):
    return (inspect.cleandoc(doc).splitlines() or [""])[0] if doc else ""


def _write_docs(path, model, signatures, skipped):
    try:
        config = json.loads(json.dumps(model.get_config()))
    except (TypeError, NotImplementedError):
        config = None
    from zoo._version import __version__

    record = {
        "model": type(model).__name__,
        "config": config,
        "zoo_version": __version__,
        "keras_version": keras.__version__,
        "tensorflow_version": tf.__version__,
        "signatures": signatures,
        "skipped": skipped,
    }
    doc_path = path / SIGNATURES_DOC
    doc_path.parent.mkdir(parents=True, exist_ok=True)
    doc_path.write_text(json.dumps(record, indent=2, sort_keys=True, default=str) + "\n")
