"""Recipes and the `zoo train` / `zoo eval` / `zoo sample` commands, offline on tiny data.

The data is a synthetic Fashion-MNIST written by the tests as IDX files into a folder passed
with `--data-dir`; models are shrunk with `--set`.
"""

import dataclasses
import json
import os
import shutil

import keras
import numpy as np
import pytest
from PIL import Image

import zoo
from zoo import cli, recipes
from zoo.data.idx import write_idx
from zoo.recipes import recipe as recipe_module

NADE_TINY = ["--set", "hidden_units=8", "--epochs", "1", "--metric", "test_nll", "--quiet"]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    """A Fashion-MNIST folder of random 28x28 images: 5,300 train (the recipes hold out the last
    5,000 for validation) and 100 test."""
    folder = tmp_path_factory.mktemp("fashion_mnist")
    rng = np.random.default_rng(0)
    for prefix, count in (("train", 5300), ("t10k", 100)):
        write_idx(
            folder / f"{prefix}-images-idx3-ubyte", rng.integers(0, 256, (count, 28, 28), np.uint8)
        )
        write_idx(
            folder / f"{prefix}-labels-idx1-ubyte", rng.integers(0, 10, count).astype(np.uint8)
        )
    return folder


@pytest.fixture(scope="module")
def trained(data_dir, tmp_path_factory):
    """`zoo train nade_fashion_mnist` at 8 hidden units into a fresh --out folder."""
    out = tmp_path_factory.mktemp("presets")
    work = tmp_path_factory.mktemp("work")
    manifest = zoo.registry.PUBLISHED_MANIFEST.read_text()
    code = cli.main(
        ["train", "nade_fashion_mnist", "--data-dir", str(data_dir), "--out", str(out)]
        + ["--work-dir", str(work), *NADE_TINY]
    )
    assert code == 0
    assert zoo.registry.PUBLISHED_MANIFEST.read_text() == manifest  # --out leaves it alone
    return out


@pytest.fixture
def use_recipe(monkeypatch):
    """`use_recipe(recipe)` makes `train_preset` use `recipe` for its preset."""

    def use(recipe):
        monkeypatch.setattr(
            recipes, "get_recipe", lambda name: recipe if name == recipe.preset else None
        )

    return use


def test_every_preset_but_unreachable_data_has_a_recipe():
    unreachable = {"dcgan_lsun"}
    assert set(recipes.list_recipes()) == set(zoo.list_models()) - unreachable
    for name in recipes.list_recipes():
        recipe = recipes.get_recipe(name)
        assert recipe.metrics, name
        for metric in recipe.metrics.values():
            assert metric.protocol and (metric.tolerance is None or metric.tolerance > 0)
        assert any(m.tolerance is not None for m in recipe.metrics.values()), name
        assert recipe.preprocessing.description


def test_binarization_is_named_and_applied():
    images = np.zeros([1, 28, 28, 1], np.uint8)
    images[0, 0, :4, 0] = [0, 127, 128, 255]  # 127 / 255 < 0.5 < 128 / 255
    recipe = recipes.get_recipe("made_fashion_mnist")
    assert "statically binarized" in recipe.preprocessing.description
    bits = recipe.preprocessing.transform(images, 0)
    assert bits.shape == (1, 784) and bits[0, :4].tolist() == [0, 0, 1, 1] and bits.sum() == 2
    dynamic = recipes.get_recipe("vae_mnist").preprocessing
    assert "dynamically" in dynamic.description and dynamic.train_options == {"binarize": "dynamic"}


def test_train_writes_a_preset_folder_with_a_model_card(trained):
    folder = trained / "nade_fashion_mnist" / "v1"
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == [
        "config.json",
        "metadata.json",
        "model.weights.h5",
    ]
    card = json.loads((folder / "metadata.json").read_text())
    assert json.loads((folder / "config.json").read_text())["hidden_units"] == 8
    assert card["training"]["epochs"] == 1 and card["training"]["wall_time_s"] > 0
    assert card["training"]["tf_enable_onednn_opts"] == os.environ.get(
        "TF_ENABLE_ONEDNN_OPTS", "unset"
    )
    assert "binarized" in card["preprocessing"] and card["data_licence"]
    assert "last 5,000 examples" in card["training"]["validation"]
    stopping = card["training"]["stopping"]
    assert stopping["stopped_because"] == "epochs" and stopping["max_epochs"] == 1
    (epoch,) = card["training"]["learning_curve"]
    assert epoch["epoch"] == 1 and epoch["val_loss"] == stopping["best_value"] > 0
    with Image.open(trained / "nade_fashion_mnist" / "learning_curve_v1.png") as curve:
        assert curve.size == (600, 350)
    nll = card["metrics"]["test_nll"]
    assert nll["tolerance"] == 0.05 and "exact" in nll["protocol"]
    assert 0 < nll["value"] < 784 * np.log(2) + 1  # better than nothing, worse than perfect
    assert set(card["software"]) >= {"zoo", "tensorflow", "keras"} and len(card["sha256"]) == 2
    manifest = json.loads((trained / "published.json").read_text())
    record = manifest["nade_fashion_mnist"]["versions"][-1]
    assert record["metrics"]["test_nll"]["value"] == nll["value"]


def test_validation_images_are_the_last_of_the_training_split_and_never_trained_on(data_dir):
    recipe = recipes.get_recipe("made_fashion_mnist")
    images, _ = zoo.data.load_arrays("fashion_mnist", "train", data_dir=data_dir)
    train = recipe.training_data(data_dir)
    valid = recipe.validation_data(data_dir)
    assert len(train) == len(images) - 5000 and len(valid) == 5000
    np.testing.assert_array_equal(valid, recipe.preprocessing.transform(images[-5000:], 0))
    np.testing.assert_array_equal(train, recipe.preprocessing.transform(images[:-5000], 0))
    assert len(recipe.training_data(data_dir, limit=10)) == 10
    # Random preprocessing streams the same training images, batched and shuffled.
    dynamic = dataclasses.replace(
        recipes.get_recipe("vae_fashion_mnist"), preprocessing=recipe_module.DYNAMIC_BINARY
    )
    assert dynamic.validation_images == 5000
    batches = list(dynamic.training_data(data_dir, limit=300))
    assert sum(len(b) for b in batches) == 300


def test_resume_of_a_finished_run_keeps_its_best_epoch(trained, data_dir, tmp_path):
    args = ["train", "nade_fashion_mnist", "--data-dir", str(data_dir), "--out", str(tmp_path)]
    args += ["--work-dir", str(tmp_path / "work"), *NADE_TINY]
    assert cli.main(args) == 0
    first = json.loads((tmp_path / "nade_fashion_mnist" / "v1" / "metadata.json").read_text())
    assert cli.main([*args, "--resume"]) == 0  # the run had finished: publish it again
    again = json.loads((tmp_path / "nade_fashion_mnist" / "v2" / "metadata.json").read_text())
    assert again["training"]["learning_curve"] == first["training"]["learning_curve"]
    assert again["metrics"]["test_nll"]["value"] == pytest.approx(
        first["metrics"]["test_nll"]["value"], abs=1e-4
    )


def test_a_continuation_starts_from_a_published_version_within_the_time_limit(
    trained, data_dir, tmp_path, use_recipe
):
    out = tmp_path / "out"
    shutil.copytree(trained, out)
    earlier = zoo.load("nade_fashion_mnist", pretrained=False, hidden_units=8)
    earlier.load_weights(trained / "nade_fashion_mnist" / "v1" / "model.weights.h5")
    nade = recipes.get_recipe("nade_fashion_mnist")
    # A learning rate of 0: the continuation keeps the weights it starts from.
    use_recipe(
        dataclasses.replace(nade, starts_from=1, optimizer=lambda: keras.optimizers.SGD(0.0))
    )
    model, record = recipes.train_preset(
        "nade_fashion_mnist",
        epochs=1,
        data_dir=data_dir,
        out=out,
        config_overrides={"hidden_units": 8},
        metric_names=["test_nll"],
        verbose=0,
        work_dir=tmp_path / "work",
    )
    assert record["version"] == 2
    for trained_weight, earlier_weight in zip(
        model.get_weights(), earlier.get_weights(), strict=True
    ):
        np.testing.assert_array_equal(trained_weight, earlier_weight)
    card = json.loads((out / "nade_fashion_mnist" / "v2" / "metadata.json").read_text())
    first = json.loads((trained / "nade_fashion_mnist" / "v1" / "metadata.json").read_text())
    section = card["training"]["starts_from"]
    assert (
        section["version"] == 1 and section["its_wall_time_s"] == first["training"]["wall_time_s"]
    )
    assert section["total_wall_time_s"] == pytest.approx(
        first["training"]["wall_time_s"] + card["training"]["wall_time_s"], abs=0.1
    )
    assert card["metrics"]["test_nll"]["value"] == pytest.approx(
        first["metrics"]["test_nll"]["value"], abs=1e-4
    )
    # Its budget plus the earlier version's training time may not pass the 2-hour limit.
    use_recipe(dataclasses.replace(nade, starts_from=1, budget_hours=recipes.MAX_BUDGET_HOURS))
    with pytest.raises(ValueError, match="exceed 2.0 h"):
        recipes.train_preset(
            "nade_fashion_mnist",
            data_dir=data_dir,
            out=out,
            config_overrides={"hidden_units": 8},
            verbose=0,
            work_dir=tmp_path / "work",
        )


def test_every_recipe_budget_is_within_the_limit_and_a_longer_one_is_refused():
    for name in recipes.list_recipes():
        budget = recipes.get_recipe(name).budget_hours
        assert budget is None or 0 < budget <= recipes.MAX_BUDGET_HOURS, name
    with pytest.raises(ValueError, match="budget_hours"):
        dataclasses.replace(recipes.get_recipe("nade_fashion_mnist"), budget_hours=2.5)


def test_eval_reproduces_the_card_and_catches_a_wrong_card(trained, data_dir, capsys, tmp_path):
    args = ["eval", "nade_fashion_mnist", "--data-dir", str(data_dir), "--metric", "test_nll"]
    assert cli.main([*args, "--preset-dir", str(trained)]) == 0
    assert "| test_nll |" in capsys.readouterr().out

    wrong = tmp_path / "nade_fashion_mnist" / "v1"
    wrong.mkdir(parents=True)
    for name in ("config.json", "model.weights.h5"):
        (wrong / name).write_bytes((trained / "nade_fashion_mnist" / "v1" / name).read_bytes())
    card = json.loads((trained / "nade_fashion_mnist" / "v1" / "metadata.json").read_text())
    card["metrics"]["test_nll"]["value"] += 0.1  # outside the 0.05 nats tolerance
    (wrong / "metadata.json").write_text(json.dumps(card))
    assert cli.main([*args, "--preset-dir", str(tmp_path), "--json"]) == 1
    (row,) = json.loads(capsys.readouterr().out)
    assert row["status"] == "FAIL" and abs(row["card"] - row["measured"] - 0.1) < 0.05


def test_sample_writes_the_same_grid_for_the_same_seed(trained, tmp_path):
    paths = [tmp_path / f"{i}.png" for i in range(3)]
    for path, seed in zip(paths, (3, 3, 4), strict=True):
        args = ["sample", "nade_fashion_mnist", "-n", "6", "-o", str(path), "--seed", str(seed)]
        assert cli.main([*args, "--scale", "1", "--preset-dir", str(trained)]) == 0
    grid = np.asarray(Image.open(paths[0]))
    assert grid.shape == (2 + 3 * 30, 2 + 2 * 30)  # 6 tiles of 28 px, 2 px padding: 3 rows
    assert paths[0].read_bytes() == paths[1].read_bytes() != paths[2].read_bytes()


def test_sample_mean_shows_probabilities_where_the_model_has_them(trained, tmp_path, capsys):
    draws, means = tmp_path / "draws.png", tmp_path / "means.png"
    for path, extra in ((draws, []), (means, ["--mean"])):
        args = ["sample", "rbm_fashion_mnist", "-n", "4", "-o", str(path), "--scale", "1"]
        assert cli.main([*args, *extra]) == 0
    assert set(np.unique(np.asarray(Image.open(draws)))) <= {0, 255}  # binary draws
    assert len(np.unique(np.asarray(Image.open(means)))) > 10  # grey probabilities
    args = ["sample", "nade_fashion_mnist", "-o", str(tmp_path / "x.png"), "--mean"]
    assert cli.main([*args, "--preset-dir", str(trained)]) == 1
    assert "has no per-pixel mean" in capsys.readouterr().err


def test_missing_data_is_a_clear_error(tmp_path, capsys):
    args = ["train", "nade_fashion_mnist", "--data-dir", str(tmp_path), "--out", str(tmp_path)]
    assert cli.main([*args, *NADE_TINY]) == 1
    message = capsys.readouterr().err
    assert message.startswith("zoo: error:") and str(tmp_path) in message


def test_overrides_need_an_output_folder(capsys):
    assert cli.main(["train", "nade_fashion_mnist", "--set", "hidden_units=8"]) == 1
    assert "--out" in capsys.readouterr().err


def test_sample_refuses_models_that_do_not_sample(capsys):
    assert cli.main(["sample", "dae_fashion_mnist"]) == 1
    assert "sample" in capsys.readouterr().err


def test_compare_statuses():
    recipe = recipes.get_recipe("nade_fashion_mnist")
    card = {"test_nll": {"value": 90.0, "protocol": "-", "tolerance": 0.05}}
    rows = recipes.compare(recipe, card, {"test_nll": 90.04, "sampling_seconds_64": 1.0})
    assert [r["status"] for r in rows] == ["ok", "not on card"]
    rows = recipes.compare(
        recipe,
        {**card, "sampling_seconds_64": {"value": 2.0, "protocol": "-"}},
        {"test_nll": 90.06, "sampling_seconds_64": 1.0},
    )
    assert [r["status"] for r in rows] == ["FAIL", "info"]
    dbn = recipes.get_recipe("dbn_fashion_mnist")
    card = {"classifier_test_error": {"value": 0.17, "protocol": "-"}}
    assert [r["status"] for r in recipes.compare(dbn, card, {})] == ["not recomputed"]


def test_fd_references_binarize_for_binary_models_and_the_floor_of_identical_sets_is_zero():
    from zoo.recipes import metrics

    raw = np.random.default_rng(0).integers(0, 256, size=(64, 28, 28, 1), dtype=np.uint8)
    grey = metrics.reference_images(raw, "grey")
    binary = metrics.reference_images(raw, "binarized")
    np.testing.assert_allclose(grey, raw / 255.0, rtol=1e-6)
    assert set(np.unique(binary)) <= {0.0, 1.0} and np.array_equal(binary, grey > 0.5)
    with pytest.raises(ValueError, match="binarized"):
        metrics.reference_images(raw, "binary")
    with pytest.raises(ValueError, match="grey"):
        metrics.fd_fmnist(tolerance=1.0, reference="colour")
    floor = metrics.fd_floor(raw, raw, "binarized", num_images=64)
    assert abs(floor) < 1e-3  # the same images under the same protocol
    other = np.random.default_rng(1).integers(0, 64, size=(64, 28, 28, 1), dtype=np.uint8)
    assert metrics.fd_floor(other, raw, "grey", num_images=64) > 1.0
    protocols = {
        name: recipes.get_recipe(name).metrics["fd_fmnist_binarized"].protocol
        for name in ("rbm_fashion_mnist", "nade_fashion_mnist", "vae_fashion_mnist")
    }
    assert all("binarized at 0.5" in protocol for protocol in protocols.values())


def test_dbn_mnist_trains_with_labels_and_reports_three_test_errors(tmp_path):
    """`zoo train dbn_mnist` on a shrunk DBN: labelled pretraining, up-down, three errors."""
    from zoo.models.energy.recipes import dbn_mnist_schedule

    assert dbn_mnist_schedule(200) == ([30, 30, 200], 20)
    assert dbn_mnist_schedule(1) == ([1, 1, 1], 1)
    errors = ["test_error", "logistic_regression_test_error", "backprop_test_error"]
    args = ["train", "dbn_mnist", "--out", str(tmp_path), "--set", "layer_sizes=[784,8,8,16]"]
    args += ["--epochs", "1", "--limit", "200", "--eval-limit", "100", "--quiet"]
    assert cli.main([*args, *(f"--metric={name}" for name in errors)]) == 0
    card = json.loads((tmp_path / "dbn_mnist" / "v1" / "metadata.json").read_text())
    assert card["training"]["epochs"] == 1 and "mnist_subset" in card["dataset"]
    assert sorted(card["metrics"]) == sorted(errors)
    assert all(0.0 <= card["metrics"][name]["value"] <= 1.0 for name in errors)
    assert "free energy" in card["metrics"]["test_error"]["protocol"]
    model, _ = recipes.load_preset_folder("dbn_mnist", tmp_path)
    assert model.num_labels == 10 and model.top_rbm.kernel.shape == (18, 16)


def test_dbn_fashion_mnist_pretrains_once_and_resumes_its_up_down_epochs(
    data_dir, tmp_path, monkeypatch
):
    """`zoo train dbn_fashion_mnist` (labelled, shrunk): an interrupted run resumes its up-down
    epochs from the backup without pretraining again, and the card counts the pretraining."""
    from zoo.callbacks import PlateauStopping
    from zoo.models.energy.dbn import DBN

    names = ["test_error", "test_log_likelihood_lower_bound", "top_log_partition_ais"]
    args = ["train", "dbn_fashion_mnist", "--data-dir", str(data_dir), "--out", str(tmp_path)]
    args += ["--work-dir", str(tmp_path / "work"), "--set", "layer_sizes=[784,8,8,16]"]
    args += ["--epochs", "3", "--quiet", *(f"--metric={name}" for name in names)]
    pretrained = []
    original_pretrain, original_end = DBN.pretrain, PlateauStopping.on_epoch_end
    monkeypatch.setattr(
        DBN,
        "pretrain",
        lambda self, *a, **k: pretrained.append(1) or original_pretrain(self, *a, **k),
    )

    def interrupt_after_two(self, epoch, logs=None):
        original_end(self, epoch, logs)
        if epoch == 1:
            raise RuntimeError("interrupted")

    monkeypatch.setattr(PlateauStopping, "on_epoch_end", interrupt_after_two)
    with pytest.raises(RuntimeError, match="interrupted"):
        cli.main(args)
    assert len(pretrained) == 1
    monkeypatch.setattr(PlateauStopping, "on_epoch_end", original_end)
    assert cli.main([*args, "--resume"]) == 0
    assert len(pretrained) == 1  # the backup restored the pretrained DBN
    card = json.loads((tmp_path / "dbn_fashion_mnist" / "v1" / "metadata.json").read_text())
    curve = card["training"]["learning_curve"]
    assert [h["epoch"] for h in curve] == [1, 2, 3] and "val_classification_error" in curve[0]
    assert card["training"]["wall_time_s"] >= curve[0]["seconds"] > 0
    assert sorted(card["metrics"]) == sorted(names)
    assert 0.0 <= card["metrics"]["test_error"]["value"] <= 1.0
    assert card["metrics"]["test_log_likelihood_lower_bound"]["value"] < 0.0
    model, _ = recipes.load_preset_folder("dbn_fashion_mnist", tmp_path)
    assert model.num_labels == 10


def test_cdcgan_trains_on_labels_and_reports_label_accuracy(data_dir, tmp_path):
    """`zoo train cdcgan_fashion_mnist` on a shrunk GAN: labelled data, per-class accuracies."""
    names = ["label_accuracy", "label_accuracy_3"]
    args = ["train", "cdcgan_fashion_mnist", "--data-dir", str(data_dir), "--out", str(tmp_path)]
    args += ["--work-dir", str(tmp_path / "work"), "--set", "filters=4", "--set", "latent_dim=8"]
    args += ["--epochs", "1", "--limit", "64", "--quiet"]
    assert cli.main([*args, *(f"--metric={name}" for name in names)]) == 0
    card = json.loads((tmp_path / "cdcgan_fashion_mnist" / "v1" / "metadata.json").read_text())
    assert sorted(card["metrics"]) == names
    assert all(0.0 <= card["metrics"][name]["value"] <= 1.0 for name in names)
    assert "class 3" in card["metrics"]["label_accuracy_3"]["protocol"]
    assert len(card["training"]["learning_curve"]) == 1  # val_fd on the held-out images
    model, _ = recipes.load_preset_folder("cdcgan_fashion_mnist", tmp_path)
    assert model.num_classes == 10
    assert model.sample(3, seed=0, condition=[0, 4, 9]).shape == (3, 28, 28, 1)


@pytest.fixture
def fake_austen(monkeypatch):
    """A 4.1-million-character stand-in for Austen's novels (random words of 9 kinds), as
    long as the real text so that the recipe's 786 validation windows fit."""
    from zoo.data import text

    rng = np.random.default_rng(0)
    words = np.array(["Emma", "and", "the", "Miss", "Bennet", "said", "she,", "of", "her.\n"])
    fake = " ".join(words[rng.integers(0, len(words), 1_000_000)])[:4_100_000]
    monkeypatch.setattr(text, "austen_text", lambda path=None: fake)
    return fake


def test_lstm_austen_trains_on_text_and_shows_baselines_and_samples(fake_austen, tmp_path, capsys):
    """`zoo train lstm_austen` on a shrunk LSTM: text windows, exact bpc, n-gram, samples;
    `zoo sample` prints its samples."""
    names = ["test_bits_per_character", "kneser_ney_5gram_test_bits_per_character"]
    args = ["train", "lstm_austen", "--out", str(tmp_path), "--work-dir", str(tmp_path / "w")]
    args += ["--set", "units=8", "--epochs", "1", "--limit", "64", "--quiet"]
    assert cli.main([*args, *(f"--metric={name}" for name in names)]) == 0
    card = json.loads((tmp_path / "lstm_austen" / "v1" / "metadata.json").read_text())
    assert sorted(card["metrics"]) == sorted(names)
    model_bpc = card["metrics"]["test_bits_per_character"]["value"]
    ngram_bpc = card["metrics"]["kneser_ney_5gram_test_bits_per_character"]["value"]
    assert 0.0 < ngram_bpc < model_bpc < 8.0  # 64 updates of 8 units: far behind the 5-gram
    assert card["training"]["learning_curve"][0]["val_bits_per_character"] > 0
    samples = card["samples"]["temperature_0.7"]
    assert len(samples) == 3 and all(len(s) == 300 for s in samples)
    assert set("".join(samples)) <= set(zoo.data.text.AUSTEN_SYMBOLS)
    capsys.readouterr()
    sample = ["sample", "lstm_austen", "-n", "2", "--preset-dir", str(tmp_path)]
    assert cli.main(sample) == 0  # `zoo sample` prints a text model's samples
    printed = capsys.readouterr().out
    assert len(printed) == 2 * (256 + 2)  # two samples of 256 characters, a blank line after each
    assert cli.main(sample) == 0
    assert capsys.readouterr().out == printed  # same seed, same text
