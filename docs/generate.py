"""Write the pages of the API reference site (`mkdocs.yml`) from the code and the model cards.

    python docs/generate.py && mkdocs build --strict

Pages: `index.md` (the README), one page per model family (its models' modules, then its
`recipes` module) and per shared package (their modules' docstrings through mkdocstrings),
and one page per preset from its registry entry and published model cards (versions,
metrics with their protocols, gallery image, learning curve when one is published under
`docs/curves/`). Generated pages are not committed.
"""

import json
import pathlib
import shutil

import zoo
from zoo import registry

DOCS = pathlib.Path(__file__).resolve().parent
ROOT = DOCS.parent
GENERATED = ("index.md", "api", "presets")

FAMILY_TITLES = {
    "energy": "Energy-based models",
    "adversarial": "Adversarial models",
    "variational": "Variational models",
    "autoencoders": "Autoencoders",
    "autoregressive": "Autoregressive models",
    "classifier": "Image classifier",
}
SHARED = {
    "zoo": "zoo (the facade)",
    "zoo.registry": "zoo.registry",
    "zoo.hub": "zoo.hub",
    "zoo.export": "zoo.export",
    "zoo.callbacks": "zoo.callbacks",
    "zoo.plotting": "zoo.plotting",
    "zoo.models.base": "zoo.models.base",
    "zoo.models.contract": "zoo.models.contract",
    "zoo.models.steps": "zoo.models.steps",
    "zoo.checks": "zoo.checks",
    "zoo.random": "zoo.random",
}
PACKAGES = ("zoo.data", "zoo.layers", "zoo.evaluation")
#: The pictures `docs/gallery.py` writes beside a preset's samples, with their captions.
PICTURES = {
    "mean": "Per-pixel probabilities of the same chains (`zoo sample NAME --mean`)",
    "reconstructions": "Test images (odd rows) and their reconstructions (even rows)",
    "denoising": "Test images, the same with 30 % of the pixels masked, and the denoised output",
    "traversal": "Latent traversals: one code coordinate varied per row (the most active ones)",
    "interpolation": "Spherical interpolation between pairs of prior latents, one pair per row",
    "classes": "One row per class, drawn for that class (`sample(n, condition=k)`)",
}


def main():
    for name in GENERATED:
        path = DOCS / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    (DOCS / "api").mkdir()
    (DOCS / "presets").mkdir()
    write_index()
    for family, title in FAMILY_TITLES.items():
        modules = _modules(ROOT / "zoo" / "models" / family, f"zoo.models.{family}")
        models = [m for m in modules if not m.endswith((".presets", ".recipes"))]
        recipes = [m for m in modules if m.endswith(".recipes")]
        write_api_page(f"{family}.md", title, models + recipes)
    for package in PACKAGES:
        folder = ROOT / pathlib.Path(*package.split("."))
        write_api_page(f"{package.split('.')[-1]}.md", package, _modules(folder, package))
    write_api_page("core.md", "Registry, hub, export", list(SHARED))
    for name in zoo.list_models():
        write_preset_page(registry.get_preset(name))


def _modules(folder, package):
    return [
        f"{package}.{path.stem}"
        for path in sorted(folder.glob("*.py"))
        if not path.stem.startswith("_")
    ]


def write_index():
    text = (ROOT / "README.md").read_text().replace("](docs/", "](")
    (DOCS / "index.md").write_text(text)


def write_api_page(filename, title, modules):
    lines = [f"# {title}", ""]
    for module in modules:
        lines += [f"::: {module}", "    options:", "      show_root_heading: true", ""]
    (DOCS / "api" / filename).write_text("\n".join(lines))


def write_preset_page(preset):
    lines = [f"# `{preset.name}`", "", preset.description, ""]
    lines += [
        f"- **family**: {preset.family}",
        f"- **paper**: {preset.paper}",
        f"- **dataset**: {preset.dataset}",
        f"- **config**: `{json.dumps(preset.config)}`",
        f"- **load**: `zoo.load({preset.name!r})`",
        "",
    ]
    if preset.unpublished_reason:
        lines += ["## Weights", "", preset.unpublished_reason, ""]
    pictures = [(f"gallery/{preset.name}.png", "Samples (`zoo sample NAME -n 64 --seed 0`)")]
    pictures += [
        (f"gallery/{preset.name}_{kind}.png", caption) for kind, caption in PICTURES.items()
    ]
    pictures.append((f"curves/{preset.name}.png", "Learning curve"))
    for image, caption in pictures:
        if (DOCS / image).is_file():
            lines += [f"## {caption}", "", f"![{caption}](../{image})", ""]
    for record in reversed(preset.versions):
        lines += [f"## Version {record['version']} ({record.get('published', '')[:10]})", ""]
        metrics = record.get("metrics", {})
        if metrics:
            lines += ["| metric | value | protocol |", "| --- | --- | --- |"]
            for key, metric in metrics.items():
                value = metric["value"]
                shown = f"{value:.4g}" if isinstance(value, int | float) else str(value)
                protocol = str(metric["protocol"]).replace("|", "\\|")
                lines.append(f"| `{key}` | {shown} | {protocol} |")
            lines.append("")
        lines += _text_samples(preset.name, record["version"])
        lines += [f"`zoo.load({preset.name!r}, version={record['version']})`", ""]
    (DOCS / "presets" / f"{preset.name}.md").write_text("\n".join(lines))


def _text_samples(name, version):
    """The samples a text model's card shows (`metadata.json` `samples`), as quotes."""
    card = ROOT / "zoo_weights" / name / f"v{version}" / "metadata.json"
    samples = json.loads(card.read_text()).get("samples") if card.is_file() else None
    if not samples:
        return []
    lines = [f"Samples: {samples['protocol']}.", ""]
    for key, texts in samples.items():
        if key != "protocol":
            lines += [f"*{key.replace('_', ' ')}*", ""]
            for text in texts:
                lines += ["> " + line if line else ">" for line in text.split("\n")] + [""]
    return lines


if __name__ == "__main__":
    main()
