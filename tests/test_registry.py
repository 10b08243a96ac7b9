"""The preset registry: names, patterns, aliases, info, load, and the published manifest."""

import json
import shutil

import pytest
from support.tiny_preset import CARD, CONFIG, NAME, register_tiny, register_unpublished, tiny_mlp

import zoo
from zoo import cli, hub, registry

pytest_plugins = ("support.hub_fixtures",)


def test_list_models_filters_by_pattern_and_published_weights(tiny):
    register_unpublished()
    assert zoo.list_models("tiny_*") == [NAME, "tiny_unpublished"]
    assert zoo.list_models("tiny_m*") == [NAME]
    assert zoo.list_models("tiny_*", pretrained=True) == [NAME]
    assert set(zoo.list_models(pretrained=True)) <= set(zoo.list_models())


def test_aliases_resolve_to_the_canonical_preset(tiny):
    register_unpublished("tiny_two", aliases=("tiny2",))
    assert zoo.info("tiny2")["name"] == "tiny_two"
    assert zoo.info("tiny_two")["aliases"] == ["tiny2"]
    assert "tiny2" not in zoo.list_models()
    assert zoo.load("tiny2", pretrained=False).output_shape == (None, 3)


def test_names_configs_and_weights_records_are_validated(tiny):
    with pytest.raises(ValueError, match="already registered"):
        register_tiny()
    with pytest.raises(ValueError, match="'tiny_mlp' is already registered"):
        register_unpublished("tiny_other", aliases=(NAME,))
    with pytest.raises(ValueError, match="must be JSON-serializable"):
        zoo.register_model(
            "tiny_bad", tiny_mlp, {"units": object()}, family="test", paper="-", dataset="-"
        )
    bad = {**tiny, "files": {"model.weights.h5": {"sha256": "abc", "size": 1}}}
    with pytest.raises(ValueError, match="64 hex digits"):
        register_unpublished("tiny_bad", weights=bad)
    assert "tiny_bad" not in zoo.list_models()


def test_unknown_names_suggest_the_closest(tiny):
    for lookup in (zoo.load, zoo.info):
        with pytest.raises(KeyError) as error:
            lookup("tiny_mpl")
        assert str(error.value).startswith("Unknown model 'tiny_mpl'. Did you mean: tiny_mlp")


def test_temporary_presets_undo_only_what_was_registered_inside():
    before = zoo.list_models()
    with registry.temporary_presets():
        register_unpublished(aliases=("tiny_alias",))
        assert "tiny_unpublished" in zoo.list_models()
    assert zoo.list_models() == before
    with pytest.raises(KeyError):
        zoo.info("tiny_alias")


def test_info_tells_everything_without_downloading(tiny, endpoint_dir):
    record = zoo.info(NAME)
    json.dumps(record)  # printable by `zoo info --json`
    assert record["config"] == CONFIG and record["family"] == "test"
    assert record["metrics"] == CARD["metrics"]
    weights = record["weights"]
    assert weights["version"] == tiny["version"] and not weights["cached"]
    assert weights["cache_dir"] == str(hub.preset_dir(NAME, tiny["version"]))
    for filename, file in weights["files"].items():
        assert file["url"] == f"{endpoint_dir.as_uri()}/{NAME}/v1/{filename}"
        assert file["sha256"] == tiny["files"][filename]["sha256"]
    zoo.load(NAME)
    assert zoo.info(NAME)["weights"]["cached"]


def test_load_builds_untrained_models_with_overrides_and_explains_unpublished(tiny):
    assert zoo.load(NAME, pretrained=False, units=5).output_shape == (None, 5)
    register_unpublished()
    assert zoo.info("tiny_unpublished")["weights"] is None
    with pytest.raises(RuntimeError, match="benchmarks/tiny.py"):
        zoo.load("tiny_unpublished")


def test_pretrained_load_uses_the_published_config_and_weights(tiny, published):
    model = zoo.load(NAME)
    for actual, want in zip(model.get_weights(), published[2], strict=True):
        assert (actual == want).all()
    with pytest.raises(ValueError):
        zoo.load(NAME, units=5)  # an override that changes weight shapes


def test_the_package_manifest_matches_registered_presets_and_published_files():
    manifest = json.loads(registry.PUBLISHED_MANIFEST.read_text())
    for name, entry in manifest.items():
        preset = registry.get_preset(name)
        assert preset.name == name, f"{name} is published under an alias"
        versions = [record["version"] for record in entry["versions"]]
        assert versions == list(range(1, len(versions) + 1)), f"{name}: versions {versions}"
        for record in entry["versions"]:
            _check_published_version(name, record)


def test_the_package_manifest_is_the_lock_generated_from_the_published_files(capsys):
    if not hub.CHECKOUT_WEIGHTS.is_dir():
        pytest.skip("no zoo_weights/ beside the package (an installed wheel)")
    manifest = json.loads(registry.PUBLISHED_MANIFEST.read_text())
    assert hub.lock_manifest() == manifest  # regenerate with `zoo lock`
    assert cli.main(["lock", "--check"]) == 0


def test_lock_regenerates_a_stale_manifest(tmp_path, monkeypatch, request):
    request.addfinalizer(registry.published_records.cache_clear)  # forget the temporary one
    weights = tmp_path / "weights"
    source = hub.CHECKOUT_WEIGHTS / "vae_mnist" / "v1"
    if not source.is_dir():
        pytest.skip("no zoo_weights/ beside the package (an installed wheel)")
    (weights / "vae_mnist").mkdir(parents=True)
    shutil.copytree(source, weights / "vae_mnist" / "v1")
    manifest = tmp_path / "published.json"
    manifest.write_text("{}")
    monkeypatch.setattr(registry, "PUBLISHED_MANIFEST", manifest)
    assert cli.main(["lock", "--check", "--weights-dir", str(weights)]) == 1
    assert cli.main(["lock", "--weights-dir", str(weights)]) == 0
    (record,) = json.loads(manifest.read_text())["vae_mnist"]["versions"]
    assert record["version"] == 1 and record["files"]["model.weights.h5"]["sha256"] == (
        hub.sha256_file(source / "model.weights.h5")
    )
    assert cli.main(["lock", "--check", "--weights-dir", str(weights)]) == 0


def _check_published_version(name, record):
    registry.check_weights_record(name, record)
    for metric in record["metrics"].values():
        assert {"value", "protocol"} <= metric.keys()
    folder = hub.CHECKOUT_WEIGHTS / name / f"v{record['version']}"
    if folder.is_dir():  # the checkout's default endpoint must serve what is recorded
        assert json.loads((folder / "metadata.json").read_text())["version"] == record["version"]
        for filename, file in record["files"].items():
            assert hub.sha256_file(folder / filename) == file["sha256"], folder / filename


@pytest.mark.parametrize(
    ("name", "version"),
    [
        (name, record["version"])
        for name, entry in json.loads(registry.PUBLISHED_MANIFEST.read_text()).items()
        for record in entry["versions"]
    ],
)
def test_every_published_version_loads_from_the_default_endpoint(name, version):
    model = zoo.load(name, version=version)  # verified against its recorded sha256
    folder = hub.preset_dir(name, version)
    assert all(check.ok for check in hub.verify_preset(name, version=version, full=True))
    assert json.loads((folder / "metadata.json").read_text())["version"] == version
    assert model.count_params() > 0
    with pytest.raises(KeyError, match="published versions"):
        zoo.load(name, version=version + 100)
