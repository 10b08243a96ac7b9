"""The `zoo` command line: list, inspect, download, verify, sample, train and evaluate presets.

Each subcommand is one function decorated with `@command(name, *arguments)`: its
docstring is the help text (first line: the summary in `zoo --help`), `arguments` are
`arg(...)` calls taking `argparse.ArgumentParser.add_argument` parameters, and it returns
the exit code. A new subcommand (`sample`, `train`, `eval`, `export`, ...) is one more
such function in this module.

User errors (unknown preset, unpublished or unverifiable weights, offline) print one line
`zoo: error: ...` on stderr and exit with status 1; usage errors exit with status 2.

`zoo list`, `info`, `download`, `verify`, `cache-dir` and `--help` never import
TensorFlow, so they answer at once. The other commands import it quietly: TensorFlow's C++
start-up logging (CUDA probes, CPU feature notes) is hidden unless `--verbose` is given or
`TF_CPP_MIN_LOG_LEVEL` is set by the user.

#### Examples

```sh
zoo list "*mnist" --pretrained
zoo info vae_fashion_mnist
zoo download vae_fashion_mnist && zoo verify vae_fashion_mnist
zoo sample vae_fashion_mnist -n 64 -o grid.png --seed 0
zoo train nade_fashion_mnist --epochs 1 --out /tmp/presets
zoo eval nade_fashion_mnist --preset-dir /tmp/presets
```
"""

import argparse
import json
import os
import sys
import textwrap

import zoo
from zoo import hub, registry

_COMMANDS = []
#: Commands that need no TensorFlow: they read the registry and the cache only.
_LIGHT_COMMANDS = ("list", "info", "download", "verify", "cache-dir")


def arg(*names, **options):
    """One argument of a subcommand, as given to `ArgumentParser.add_argument`."""
    return names, options


_VERSION_ARG = arg(
    "--version", dest="weights_version", type=int, help="published version (default newest)"
)


def command(name: str, *arguments):
    """Register the decorated function as the subcommand `zoo <name>`."""

    def register(function):
        _COMMANDS.append((name, arguments, function))
        return function

    return register


@command(
    "list",
    arg(
        "pattern",
        nargs="?",
        default="*",
        help="shell-style pattern, e.g. '*fashion_mnist' (default: all)",
    ),
    arg("--pretrained", action="store_true", help="only presets with published weights"),
)
def list_presets(args) -> int:
    """List registered presets.

    One line per preset: name, family, published weights version ("-" when none) and
    description.
    """
    names = zoo.list_models(args.pattern, pretrained=args.pretrained)
    if not names:
        print(
            f"No {'pretrained ' if args.pretrained else ''}preset matches {args.pattern!r}.",
            file=sys.stderr,
        )
        return 0
    rows = []
    for name in names:
        preset = registry.get_preset(name)
        weights = preset.weights
        rows.append(
            (name, preset.family, f"v{weights['version']}" if weights else "-", preset.description)
        )
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True))
            + "  "
            + row[3]
        )
    return 0


@command(
    "info",
    arg("name", help="preset name or alias"),
    arg("--json", action="store_true", help="print the full record as JSON"),
)
def show_info(args) -> int:
    """Show what is known about a preset, without downloading it.

    Paper, dataset, config, the published files with their sha256 and URL, whether they
    are cached, and the measured metrics with how they were measured.
    """
    record = zoo.info(args.name)
    if args.json:
        print(json.dumps(record, indent=2))
        return 0
    lines = [
        record["name"]
        + (f"  (aliases: {', '.join(record['aliases'])})" if record["aliases"] else ""),
        f"  family       {record['family']}",
        f"  paper        {record['paper']}",
        f"  dataset      {record['dataset']}",
    ]
    if record["description"]:
        lines.append(f"  description  {record['description']}")
    lines.append(f"  config       {json.dumps(record['config'])}")
    if record["versions"]:
        published = ", ".join(
            f"v{v['version']} ({(v['published'] or '')[:10]})" for v in record["versions"]
        )
        lines.append(f"  versions     {published}  (zoo.load(name, version=N))")
    weights = record["weights"]
    if weights is None:
        reason = record["unpublished_reason"] or "not published yet"
        lines.append(f"  weights      none: {reason}")
    else:
        cached = f"cached in {weights['cache_dir']}" if weights["cached"] else "not cached"
        lines.append(f"  weights      version {weights['version']}, {cached}")
        for filename, file in weights["files"].items():
            lines.append(f"    {filename}  {file['size']:,} bytes  sha256 {file['sha256']}")
            lines.append(f"      {file['url'] or '(no endpoint: set ZOO_ENDPOINT)'}")
    if record["metrics"]:
        lines.append("  metrics")
    for metric, value in record["metrics"].items():
        lines.append(f"    {metric}  {value['value']}  ({value['protocol']})")
    print("\n".join(lines))
    return 0


@command(
    "download",
    arg("name", help="preset name or alias"),
    arg(
        "--force",
        action="store_true",
        help="download again even when cached (repairs a corrupt cache)",
    ),
    _VERSION_ARG,
)
def download(args) -> int:
    """Download a preset's weights into the cache and verify them.

    Files already cached with the right size are kept; each download is checked
    against its published sha256 before it is used. Prints the cache folder.
    """
    print(hub.download_preset(args.name, version=args.weights_version, force=args.force))
    return 0


@command(
    "verify",
    arg("name", nargs="?", help="preset name or alias (default: every published preset)"),
    _VERSION_ARG,
)
def verify(args) -> int:
    """Check cached weights against their published sha256 digests.

    With a NAME, every file of its newest version (or of `--version`) must be cached and
    intact. Without, every downloaded version of every published preset is checked, and
    the presets not downloaded are listed. Exits with status 1 when a file is corrupt (or,
    with a NAME, missing).
    """
    if args.name:
        targets = [(args.name, args.weights_version)]
    else:
        targets = [
            (name, record["version"])
            for name in zoo.list_models(pretrained=True)
            for record in registry.get_preset(name).versions
        ]
    failed, downloaded, names = False, set(), {name for name, _ in targets}
    for name, version in targets:
        checks = hub.verify_preset(name, version=version, full=True)
        if not args.name and all(check.status == "missing" for check in checks):
            continue
        downloaded.add(name)
        for check in checks:
            bad = check.status == "corrupt" or (check.status == "missing" and args.name)
            failed = failed or bad
            detail = f": {check.detail}" if check.detail else ""
            print(
                f"{check.status.upper():8} {check.path}{detail}",
                file=sys.stderr if bad else sys.stdout,
            )
    not_downloaded = sorted(names - downloaded)
    if not names:
        print("No published presets to verify.")
    if not_downloaded:
        print(f"Not downloaded, nothing to verify: {', '.join(not_downloaded)}")
    return 1 if failed else 0


@command(
    "lock",
    arg("--check", action="store_true", help="compare only; exit 1 when the manifest is stale"),
    arg("--weights-dir", help="folder of published presets (default: the checkout's zoo_weights/)"),
)
def lock(args) -> int:
    """Regenerate zoo/published.json from the published files (maintainers).

    The manifest is a lock: every record (version, sha256 and size of each file, the
    card's metrics and date) is derived from `zoo_weights/<name>/v<version>/` by
    `zoo.hub.lock_manifest`. With `--check`, nothing is written and the exit status is 1
    when the manifest differs from the files.
    """
    manifest = registry.PUBLISHED_MANIFEST
    if args.check:
        if json.loads(manifest.read_text()) != hub.lock_manifest(args.weights_dir):
            print(f"{manifest} is stale: run `zoo lock`.", file=sys.stderr)
            return 1
        print(f"{manifest} matches the published files.")
        return 0
    generated = hub.write_lock(args.weights_dir)
    print(f"Wrote {manifest} ({len(generated)} presets).")
    return 0


@command("cache-dir")
def show_cache_dir(args) -> int:
    """Print the cache folder.

    $ZOO_HOME, else $KERAS_HOME/zoo, else ~/.keras/zoo. Each preset version is cached in
    its own folder <cache>/<name>/v<version>/.
    """
    print(hub.cache_dir())
    return 0


def _config_value(text):
    """`key=value` of `--set`, the value parsed as JSON when it is JSON (numbers, lists)."""
    key, separator, value = text.partition("=")
    if not separator or not key:
        raise argparse.ArgumentTypeError(f"expected key=value, got {text!r}")
    try:
        return key, json.loads(value)
    except json.JSONDecodeError:
        return key, value


def _preset_model(name, preset_dir, version=None):
    """The trained model and its model card: from `preset_dir` or the published preset."""
    from zoo import recipes

    if preset_dir:
        return recipes.load_preset_folder(name, preset_dir)
    model = zoo.load(name, version=version)
    record = registry.get_preset(name).record(version)
    return model, {"metrics": record.get("metrics", {})}


@command(
    "sample",
    arg("name", help="preset name or alias"),
    arg("-n", "--num-samples", type=int, default=64, help="number of samples (default 64)"),
    arg("-o", "--output", default="grid.png", help="PNG file to write (default grid.png)"),
    arg("--seed", type=int, default=0, help="sampling seed (default 0): same seed, same grid"),
    arg("--scale", type=int, default=2, help="integer upscaling of the grid (default 2)"),
    arg(
        "--mean",
        action="store_true",
        help="show the per-pixel probabilities of the last conditional (p(x | z) of a VAE, "
        "the last Gibbs step of an RBM or DBN) instead of binary draws",
    ),
    arg(
        "--preset-dir", help="a folder written by `zoo train --out` instead of the published preset"
    ),
    _VERSION_ARG,
)
def sample(args) -> int:
    """Draw samples from a pretrained preset and save them as a PNG grid.

    The samples come from the model's own `sample(n, seed=(SEED, 0))`, mapped to grey
    levels as in the preset's recipe (e.g. a GAN's [-1, 1] output to [0, 1]); the same
    seed gives the same grid. `--mean` passes `mean=True` (models with a per-pixel
    conditional given a latent or a last Gibbs step: VAE, RBM, DBN). A text model
    (`lstm_austen`) prints its samples, decoded, instead (`-o` is then ignored).
    """
    import inspect

    from zoo import plotting, recipes
    from zoo.recipes.metrics import draw_images

    recipe = recipes.get_recipe(args.name)
    if recipe.to_text is not None:
        model, _ = _preset_model(recipe.preset, args.preset_dir, args.weights_version)
        for text in recipe.to_text(model.sample(args.num_samples, seed=args.seed)):
            print(text, end="\n\n")
        return 0
    if recipe.to_images is None:
        raise ValueError(f"{recipe.preset} is not a generative model with `sample`.")
    model, _ = _preset_model(recipe.preset, args.preset_dir, args.weights_version)
    options = {}
    if args.mean:
        if "mean" not in inspect.signature(model.sample).parameters:
            raise ValueError(
                f"{recipe.preset} ({type(model).__name__}) has no per-pixel mean to show: "
                "--mean works for models whose `sample` takes `mean` (VAE, RBM, DBN)."
            )
        options["mean"] = True
    drawn = "per-pixel means" if args.mean else "samples"
    print(f"Drawing {args.num_samples} {drawn} from {recipe.preset} (seed {args.seed})...")
    images = draw_images(model, recipe, args.num_samples, args.seed, **options)
    print(plotting.save_image_grid(images, args.output, scale=args.scale))
    return 0


@command(
    "train",
    arg("name", help="preset name or alias"),
    arg("--epochs", type=int, help="epochs (default: the recipe's)"),
    arg("--data-dir", help="folder holding the dataset files (default: zoo.data's places)"),
    arg(
        "--out",
        help="write <OUT>/<name>/ and <OUT>/published.json (default: publish a new version "
        "into the checkout's zoo_weights/ and zoo/published.json)",
    ),
    arg("--seed", type=int, help="seed (default: the recipe's)"),
    arg(
        "--set",
        dest="overrides",
        metavar="KEY=VALUE",
        type=_config_value,
        action="append",
        default=[],
        help="change the preset's config (JSON values), e.g. --set hidden_units=16; needs --out",
    ),
    arg("--limit", type=int, help="train on the first LIMIT images only (smoke runs)"),
    arg("--eval-limit", type=int, help="measure the metrics on the first EVAL_LIMIT images only"),
    arg("--metric", action="append", help="measure only this card metric (repeatable)"),
    arg("--quiet", action="store_true", help="no progress bars"),
    arg(
        "--resume",
        action="store_true",
        help="continue the interrupted run in the work folder (recipes that train to a "
        "validation plateau back up every epoch); without it a run starts afresh",
    ),
    arg("--work-dir", help="folder for those backups (default: <zoo cache-dir>/training/NAME)"),
)
def train(args) -> int:
    """Retrain a preset from its recipe and write a preset folder with a fresh model card.

    The recipe fixes data, preprocessing, optimizer, batch size, epochs and seed (see
    `zoo.recipes`); after training, the card's metrics are measured and the folder
    (config.json, model.weights.h5, metadata.json) is written by the hub's publishing code.
    """
    from zoo import recipes

    command_line = " ".join(["zoo", *sys.argv[1:]]) if sys.argv[1:2] == ["train"] else None
    _, record = recipes.train_preset(
        args.name,
        epochs=args.epochs,
        data_dir=args.data_dir,
        out=args.out,
        seed=args.seed,
        config_overrides=dict(args.overrides),
        limit=args.limit,
        eval_limit=args.eval_limit,
        metric_names=args.metric,
        verbose=0 if args.quiet else 1,
        command=command_line,
        work_dir=args.work_dir,
        resume=args.resume,
    )
    print(json.dumps(record, indent=2))
    return 0


@command(
    "eval",
    arg("name", help="preset name or alias"),
    arg("--data-dir", help="folder holding the dataset files (default: zoo.data's places)"),
    arg(
        "--preset-dir", help="a folder written by `zoo train --out` instead of the published preset"
    ),
    arg("--metric", action="append", help="only this card metric (repeatable)"),
    arg(
        "--limit", type=int, help="evaluate on the first LIMIT images (not comparable to the card)"
    ),
    arg("--json", action="store_true", help="print the comparison as JSON"),
    _VERSION_ARG,
)
def evaluate(args) -> int:
    """Recompute a preset's model-card metrics and compare them with the card.

    Each metric is measured by the protocol written on the card and must land within the
    card's tolerance; timings are reported, not compared. Without `--metric`, the metrics
    on the card are measured (an older version's card may lack metrics its recipe has
    gained since, which may not apply to it). Exits with status 1 when a metric is outside
    its tolerance.
    """
    from zoo import recipes

    recipe = recipes.get_recipe(args.name)
    model, card = _preset_model(recipe.preset, args.preset_dir, args.weights_version)
    on_card = [key for key in recipe.metrics if key in card.get("metrics", {})]
    measured = recipes.evaluate(
        model,
        recipe,
        data_dir=args.data_dir,
        limit=args.limit,
        names=args.metric or on_card or None,
        verbose=0 if args.json else 1,
    )
    rows = recipes.compare(recipe, card.get("metrics", {}), measured)
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print("| metric | card | measured | tolerance | status |")
        print("| --- | --- | --- | --- | --- |")
        for row in rows:
            cells = [row["metric"], *(_number(row[k]) for k in ("card", "measured", "tolerance"))]
            print("| " + " | ".join([*cells, row["status"]]) + " |")
    return 1 if any(row["status"] == "FAIL" for row in rows) else 0


@command(
    "export",
    arg("name", help="preset name or alias"),
    arg("directory", help="SavedModel folder to write (e.g. /srv/models/NAME/1 for TF Serving)"),
    arg("--untrained", action="store_true", help="export fresh weights (no download)"),
    arg(
        "--preset-dir", help="a folder written by `zoo train --out` instead of the published preset"
    ),
    arg(
        "--log-prob",
        dest="log_prob",
        metavar="KEY=VALUE",
        type=_config_value,
        action="append",
        default=[],
        help="fix a log_prob argument in the signature, e.g. --log-prob num_samples=1000",
    ),
    arg(
        "--log-partition",
        dest="log_partition",
        metavar="KEY=VALUE",
        type=_config_value,
        action="append",
        default=[],
        help="how energy models compute log Z once at export, e.g. --log-partition method=ais",
    ),
    _VERSION_ARG,
)
def export(args) -> int:
    """Write a preset as a SavedModel with one serving signature per method.

    Signatures: `sample` (num_samples, seed), and as the model allows `generate`,
    `decode`, `log_prob`, `elbo`, `free_energy`, `encode`, `reconstruct`, `discriminate`,
    plus `serving_default`; what each computes is in assets.extra/signatures.json. Load it
    with TensorFlow alone (`tf.saved_model.load`) or serve it with TF Serving.
    """
    from zoo.export import export_saved_model

    if args.untrained:
        model = zoo.load(args.name, pretrained=False)
    else:
        name = registry.get_preset(args.name).name
        model, _ = _preset_model(name, args.preset_dir, args.weights_version)
    path = export_saved_model(
        model,
        args.directory,
        log_prob_kwargs=dict(args.log_prob) or None,
        log_partition_kwargs=dict(args.log_partition) or None,
    )
    signatures = json.loads((path / "assets.extra" / "signatures.json").read_text())["signatures"]
    print(f"{path}: signatures {', '.join(signatures)}")
    return 0


def _number(value):
    return "-" if value is None else f"{value:.4g}"


def build_parser() -> argparse.ArgumentParser:
    """The `zoo` argument parser with every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="zoo",
        description="Classic deep generative models for Keras 3: list, inspect, download, "
        "verify, sample, train and evaluate pretrained presets.",
        epilog=textwrap.dedent(
            """\
            environment:
              ZOO_HOME       cache root (default $KERAS_HOME/zoo, else ~/.keras/zoo)
              ZOO_ENDPOINT   base URL of published presets (file://, http://, https://)
              ZOO_OFFLINE=1  never use the network; cached or file:// presets only

            Run `zoo COMMAND --help` for the options of a command."""
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"zoo {zoo.__version__}")
    parser.add_argument(
        "--verbose", action="store_true", help="show TensorFlow's C++ start-up logging"
    )
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    for name, arguments, function in _COMMANDS:
        summary, _, details = function.__doc__.partition("\n")
        sub = subparsers.add_parser(
            name,
            help=summary.rstrip("."),
            description=summary + "\n" + textwrap.dedent(details),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        for names, options in arguments:
            sub.add_argument(*names, **options)
        sub.set_defaults(run=function, command=name)
    return parser


def import_tensorflow(quiet: bool = True):
    """Import TensorFlow and initialize its devices, with its C++ start-up logging hidden.

    TensorFlow prints CUDA probes and CPU notes from C++ before its log level applies, so
    `quiet` also points the process's stderr (file descriptor 2) at the null device
    while TensorFlow starts, then puts it back; Python errors are not affected after that.
    """
    if not quiet:
        import tensorflow as tf

        tf.config.list_physical_devices()
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            import tensorflow as tf

            tf.config.list_physical_devices()
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


def main(argv=None) -> int:
    """Run the `zoo` command line with `argv` (default `sys.argv[1:]`); return the exit code."""
    args = build_parser().parse_args(argv)
    if args.command not in _LIGHT_COMMANDS:
        import_tensorflow(quiet=not args.verbose and "TF_CPP_MIN_LOG_LEVEL" not in os.environ)
    try:
        return args.run(args)
    except (
        # FileNotFoundError: zoo.data.DatasetNotFoundError (missing data) and preset folders
        registry.UnknownModelError,
        hub.HubError,
        ValueError,
        FileNotFoundError,
    ) as error:
        print(f"zoo: error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
