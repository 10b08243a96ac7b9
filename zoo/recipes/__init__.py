"""Recipes: how every published preset is trained and how its model card is measured.

    recipe = zoo.recipes.get_recipe("nade_fashion_mnist")   # data, optimizer, epochs, metrics
    model, record = zoo.recipes.train_preset("nade_fashion_mnist", epochs=1, out="/tmp/w")
    measured = zoo.recipes.evaluate(model, recipe)            # {"test_nll": 88.1, ...}
    rows = zoo.recipes.compare(recipe, card_metrics, measured)

`zoo train`, `zoo eval` and `zoo sample` are built on these functions. Each family registers
its recipes beside its models and presets, in `zoo.models.<family>.recipes`
(`zoo.models.energy.recipes`, `zoo.models.adversarial.recipes`, ...), imported on the first
`get_recipe` of one of its presets; this package holds the shared machinery: `recipe.py`
defines what a recipe is and how one is found, `metrics.py` the metrics shared between
families.
"""

import dataclasses
import json
import pathlib
import shutil
import time

import keras

from zoo import hub, registry
from zoo.recipes.recipe import (
    MAX_BUDGET_HOURS,
    EvalContext,
    Metric,
    Preprocessing,
    Recipe,
    get_recipe,
    list_recipes,
    recipes_module_name,
    register_recipe,
)

__all__ = [
    "MAX_BUDGET_HOURS",
    "EvalContext",
    "Metric",
    "Preprocessing",
    "Recipe",
    "compare",
    "evaluate",
    "get_recipe",
    "list_recipes",
    "recipes_module_name",
    "register_recipe",
    "train_preset",
]


def train_preset(
    name,
    epochs=None,
    data_dir=None,
    out=None,
    seed=None,
    config_overrides=None,
    limit=None,
    eval_limit=None,
    metric_names=None,
    verbose=1,
    command=None,
    work_dir=None,
    resume=False,
):
    """Retrain a preset from its recipe, measure its card's metrics and publish the folder.

    A recipe with `validation_images` trains until its validation plateau or budget
    (`zoo.callbacks.PlateauStopping`), keeps the best epoch, records the learning curve
    and the stopping reason on the card, and can be resumed: `work_dir` holds a
    `keras.callbacks.BackupAndRestore` backup of every finished epoch and the plateau
    state, and `resume=True` continues from them instead of starting afresh. A recipe with
    `starts_from` begins from that published version's weights (`Recipe.starts_from`).

    Args:
        name: Preset name or alias.
        epochs: Epochs (default the recipe's).
        data_dir: Data folder for `zoo.data` (default its usual places).
        out: Folder to write `<out>/<name>/v<version>/` and `<out>/published.json` into; None
            publishes into the checkout's `zoo_weights/` and `zoo/published.json` (a new
            version of the preset).
        seed: Seed (default the recipe's).
        config_overrides: Changes to the preset's config (a smaller model for a smoke
            test); only allowed with `out`.
        limit: Train on the first `limit` images only (smoke tests); recorded on the card.
        eval_limit: Measure the metrics on the first `eval_limit` evaluation images only.
        metric_names: Measure only these card metrics (default all).
        verbose: `fit` verbosity (1: progress bar).
        command: The command line recorded on the card.
        work_dir: Folder for the backups of a recipe with validation (default
            `<zoo cache>/training/<name>`).
        resume: Continue the interrupted (or finished but unpublished) run in `work_dir`;
            False deletes what `work_dir` holds and starts afresh.

    Returns:
        `(model, record)`: the trained model and the manifest record written by
        `zoo.hub.publish_preset` (`version`, `files`, `metrics`, `published`).

    Raises:
        ValueError: no recipe, `config_overrides` without `out`, or a continuation
            whose budget and earlier version's training exceed `MAX_BUDGET_HOURS`.
        zoo.data.DatasetNotFoundError: the training data cannot be found (the message
            lists where it was looked for).
    """
    recipe = get_recipe(name)
    if seed is not None:
        recipe = dataclasses.replace(recipe, seed=int(seed))
    if config_overrides and out is None:
        raise ValueError(
            "A preset trained with config overrides is not the published architecture: "
            "give an output folder (--out) to write it elsewhere."
        )
    preset = registry.get_preset(name)
    epochs = recipe.epochs if epochs is None else int(epochs)
    keras.utils.set_random_seed(recipe.seed)
    x = recipe.training_data(data_dir, limit)
    validation = recipe.validation_data(data_dir)
    with registry.config_overridden(preset.name, **(config_overrides or {})) as trained:
        model = trained.build(**trained.config)
        out = pathlib.Path(out) if out is not None else None
        earlier = None
        if recipe.starts_from is not None:
            earlier = _start_from_published(model, recipe, out)
        stopping = None
        if validation is None:
            wall_time = recipe.train(model, x, epochs=epochs, verbose=verbose)
        else:
            stopping, wall_time = _train_to_plateau(
                model,
                recipe,
                x,
                validation,
                epochs,
                verbose,
                pathlib.Path(work_dir or hub.cache_dir() / "training" / preset.name),
                resume,
            )
        measured = evaluate(
            model,
            recipe,
            data_dir=data_dir,
            limit=eval_limit,
            names=metric_names,
            verbose=verbose,
        )
        card = model_card(
            trained,
            recipe,
            epochs if stopping is None else len(stopping.state["history"]),
            wall_time,
            measured,
            command,
            limit,
            eval_limit,
        )
        if stopping is not None:
            card["training"].update(_stopping_section(recipe, stopping.state, epochs))
        if earlier is not None:
            card["training"]["starts_from"] = _continuation_section(recipe, earlier, wall_time)
        if recipe.to_text is not None:
            card["samples"] = text_samples(model, recipe)
        # Keras 3 saves a compiled model's optimizer state with its weights: publish a
        # fresh copy holding the weights only (a third of the size with Adam).
        weights_only = trained.build(**trained.config)
        weights_only.set_weights(model.get_weights())
        record = hub.publish_preset(
            weights_only,
            preset.name,
            trained.config,
            card,
            out_dir=out,
            manifest=out / "published.json" if out is not None else None,
        )
        if stopping is not None:
            _plot_learning_curve(preset.name, record["version"], card, recipe.monitor, out)
    return model, record


def _start_from_published(model, recipe, out=None):
    """Load the weights of the version `recipe.starts_from` into `model`; return its card.

    The version is looked up where the new one is published: in `out` when given (a
    preset written elsewhere), else through `zoo.hub` (downloaded, verified, cached).

    Raises:
        ValueError: when that version's training time plus the recipe's budget exceed
            `MAX_BUDGET_HOURS`.
    """
    name, version = recipe.preset, recipe.starts_from
    folder = out / name / f"v{version}" if out is not None else hub.download_preset(name, version)
    card = json.loads((folder / "metadata.json").read_text())
    earlier_hours = card["training"]["wall_time_s"] / 3600
    if earlier_hours + (recipe.budget_hours or 0.0) > MAX_BUDGET_HOURS:
        raise ValueError(
            f"{name} v{version} trained for {earlier_hours:.2f} h; with this recipe's budget "
            f"of {recipe.budget_hours} h the continuation would exceed {MAX_BUDGET_HOURS} h."
        )
    model.load_weights(folder / "model.weights.h5")
    return card


def _continuation_section(recipe, earlier, wall_time):
    """The card's record of the version a continuation started from."""
    earlier_seconds = earlier["training"]["wall_time_s"]
    return {
        "version": recipe.starts_from,
        "its_wall_time_s": earlier_seconds,
        "its_optimizer": earlier["training"]["optimizer"],
        "total_wall_time_s": round(earlier_seconds + wall_time, 1),
    }


#: The samples a text model's card shows: `model.sample(num, seed, length=..., temperature=...)`.
TEXT_SAMPLES = {"num_samples": 3, "length": 300, "seed": 0, "temperatures": (1.0, 0.7)}


def text_samples(model, recipe):
    """Samples of a text model for its card, decoded by the recipe's `to_text`.

    Returns:
        `{"protocol": str, "temperature_<t>": [strings]}` for each of `TEXT_SAMPLES`'
        temperatures.
    """
    settings = TEXT_SAMPLES
    samples = {
        "protocol": f"model.sample({settings['num_samples']}, length={settings['length']}, "
        f"seed={settings['seed']}, temperature=t), decoded to characters"
    }
    for temperature in settings["temperatures"]:
        drawn = model.sample(
            settings["num_samples"],
            length=settings["length"],
            seed=settings["seed"],
            temperature=temperature,
        )
        samples[f"temperature_{temperature}"] = recipe.to_text(drawn)
    return samples


def _plot_learning_curve(name, version, card, monitor, out):
    """Draw the card's learning curve.

    To `docs/curves/<name>.png` (the newest published version), or
    `<out>/<name>/learning_curve_v<version>.png` for a preset written elsewhere.
    """
    from zoo.plotting import learning_curve_plot

    if out is None:
        path = hub.CHECKOUT_WEIGHTS.parent / "docs" / "curves" / f"{name}.png"
    else:
        path = out / name / f"learning_curve_v{version}.png"
    learning_curve_plot(
        card["training"]["learning_curve"], path, monitor, title=f"{name} v{version}"
    )


def _train_to_plateau(model, recipe, x, validation, epochs, verbose, work_dir, resume):
    """Train with validation until the plateau or budget, resumably; `(stopping, seconds)`."""
    from zoo.callbacks import PlateauStopping

    if not resume and work_dir.exists():
        shutil.rmtree(work_dir)
    state = PlateauStopping.read_state(work_dir)
    stopping = PlateauStopping(
        work_dir,
        monitor=recipe.monitor,
        patience=recipe.patience,
        max_seconds=None if recipe.budget_hours is None else recipe.budget_hours * 3600,
        every=recipe.monitor_every,
    )
    if state is not None and state["stopped_because"]:
        # The run finished before (only publishing was interrupted): take its best epoch.
        model.load_weights(work_dir / PlateauStopping.BEST_WEIGHTS_FILE)
    else:
        backup = keras.callbacks.BackupAndRestore(str(work_dir / "backup"))
        recipe.train(model, x, epochs, verbose, [backup, stopping], validation)
    return stopping, stopping.state["seconds"]


def _stopping_section(recipe, state, max_epochs):
    """The card's record of a run to a validation plateau: curve, best epoch, reason."""
    return {
        "validation": f"the last {recipe.validation_images:,} examples of the "
        f"{recipe.train_split} split, held out (not trained on)",
        "stopping": {
            "monitor": recipe.monitor,
            "patience_epochs": recipe.patience,
            "measured_every_epochs": recipe.monitor_every,
            "budget_hours": recipe.budget_hours,
            "max_epochs": max_epochs,
            "stopped_because": state["stopped_because"],
            "best_epoch": state["best_epoch"],
            "best_value": state["best"],
        },
        "learning_curve": state["history"],
    }


def model_card(preset, recipe, epochs, wall_time, measured, command, limit=None, eval_limit=None):
    """The model card (`metadata.json` without the fields `publish_preset` fills in)."""
    limit = limit or recipe.train_images
    split = f"{recipe.train_split} split" + (f", first {limit:,} images" if limit else "")
    eval_split = f"{recipe.eval_split} split" + (
        f", first {eval_limit:,} images" if eval_limit else ""
    )
    return {
        "description": preset.description,
        "family": preset.family,
        "paper": preset.paper,
        "dataset": f"{recipe.dataset} {split} ({preset.dataset}); metrics on the {eval_split}",
        "data_licence": recipe.licence,
        "preprocessing": recipe.preprocessing.description,
        "training": recipe.card_training(
            epochs, wall_time, command or f"zoo train {preset.name} --epochs {epochs}"
        ),
        "metrics": {
            key: {
                "value": value,
                "protocol": recipe.metrics[key].protocol
                + (f" (on the first {eval_limit:,} images only)" if eval_limit else ""),
                "tolerance": recipe.metrics[key].tolerance,
            }
            for key, value in measured.items()
        },
    }


def evaluate(model, recipe, data_dir=None, limit=None, names=None, verbose=1):
    """Measure a recipe's metrics on a model.

    Args:
        model: A model of the recipe's preset (trained).
        recipe: The `Recipe`.
        data_dir: Data folder for `zoo.data`.
        limit: Use only the first `limit` evaluation images.
        names: Metric names to measure (default all).
        verbose: 1 prints a progress bar, one step per metric.

    Returns:
        `{metric_name: float}`. Left out: metrics without `compute`, and metrics whose
        `requires` presets are not published (a message says so).
    """
    context = EvalContext(recipe, data_dir=data_dir, limit=limit)
    computable = [key for key, metric in recipe.metrics.items() if metric.compute is not None]
    names = computable if names is None else [key for key in names if key in computable]
    for key in list(names):
        missing = recipe.metrics[key].missing_presets()
        if missing:
            print(f"Skipping {key}: it needs the published weights of {', '.join(missing)}.")
            names.remove(key)
    progress = keras.utils.Progbar(len(names), unit_name="metric") if verbose else None
    measured = {}
    for index, key in enumerate(names):
        start = time.perf_counter()
        measured[key] = float(recipe.metrics[key].compute(model, context))
        if progress is not None:
            progress.update(
                index + 1, values=[(key, measured[key]), (f"{key}_s", time.perf_counter() - start)]
            )
    return measured


def compare(recipe, card_metrics, measured):
    """Compare recomputed metrics with a model card.

    Args:
        recipe: The preset's `Recipe` (tolerances for cards that do not state one).
        card_metrics: The card's `metrics` (`{name: {"value", "protocol", "tolerance"?}}`).
        measured: `{name: float}` from `evaluate`.

    Returns:
        A list of dicts `{"metric", "card", "measured", "tolerance", "status"}` with
        status `"ok"`, `"FAIL"` (outside the tolerance), `"info"` (no tolerance: timings),
        `"not on card"`, or `"not recomputed"` (a card metric that needs training).
    """
    rows = []
    for key, value in measured.items():
        card = card_metrics.get(key)
        tolerance = (card or {}).get("tolerance", recipe.metrics[key].tolerance)
        if card is None:
            status = "not on card"
        elif tolerance is None:
            status = "info"
        else:
            status = "ok" if abs(value - card["value"]) <= tolerance else "FAIL"
        rows.append(
            {
                "metric": key,
                "card": None if card is None else card["value"],
                "measured": value,
                "tolerance": tolerance,
                "status": status,
            }
        )
    for key, card in card_metrics.items():
        metric = recipe.metrics.get(key)
        if key not in measured and (metric is None or metric.compute is None):
            rows.append(
                {
                    "metric": key,
                    "card": card["value"],
                    "measured": None,
                    "tolerance": card.get("tolerance"),
                    "status": "not recomputed",
                }
            )
    return rows


def load_preset_folder(name, folder):
    """Build a preset from a folder written by `train_preset(..., out=...)`.

    Args:
        name: Preset name.
        folder: The `out` folder (its newest `<name>/v<version>/` is used), or a version
            folder holding `config.json`.

    Returns:
        `(model, card)`: the model with the folder's weights and its `metadata.json`.
    """
    folder = pathlib.Path(folder)
    if not (folder / "config.json").is_file():
        versions = sorted(
            (path for path in (folder / name).glob("v*") if (path / "config.json").is_file()),
            key=lambda path: int(path.name[1:]),
        )
        if not versions:
            raise FileNotFoundError(f"No published version of {name!r} under {folder}.")
        folder = versions[-1]
    config = json.loads((folder / "config.json").read_text())
    card = json.loads((folder / "metadata.json").read_text())
    model = registry.get_preset(name).build(**config)
    model.load_weights(folder / "model.weights.h5")
    return model, card
