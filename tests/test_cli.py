"""The `zoo` command line, run in-process (fast) and once as a real process."""

import hashlib
import json
import os
import re
import subprocess
import sys

import pytest
from support.tiny_preset import NAME, register_unpublished

import zoo
from zoo import hub
from zoo.cli import main

GLOG_LINE = re.compile(r"^[IWEF]\d{4} \d\d:\d\d:[\d.]+\s+\d+ [\w.]+:\d+\] ")

pytest_plugins = ("support.hub_fixtures",)

WEIGHTS = "model.weights.h5"


def run(capsys, *argv):
    """(exit code, stdout, stderr) of `zoo *argv`."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(err, *needles):
    assert err.startswith("zoo: error: ") and err.count("\n") == 1 and "Traceback" not in err
    for needle in needles:
        assert needle in err


def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    for name in ("list", "info", "download", "verify", "cache-dir", "ZOO_OFFLINE"):
        assert name in out
    with pytest.raises(SystemExit) as exit_:
        main([])  # a command is required: usage error
    assert exit_.value.code == 2


def test_list_shows_presets_with_their_published_version(tiny, capsys):
    register_unpublished(description="not trained")
    code, out, _ = run(capsys, "list", "tiny_*")
    lines = out.splitlines()
    assert code == 0 and [line.split()[:3] for line in lines] == [
        [NAME, "test", f"v{tiny['version']}"],
        ["tiny_unpublished", "test", "-"],
    ]
    assert lines[1].endswith("not trained")
    assert run(capsys, "list", "tiny_*", "--pretrained")[1].split()[0] == NAME
    code, out, err = run(capsys, "list", "no_such_*")
    assert code == 0 and out == "" and "No preset matches 'no_such_*'" in err


def test_info_is_readable_or_json(tiny, capsys):
    code, out, _ = run(capsys, "info", NAME)
    assert code == 0
    for needle in (
        NAME,
        "family       test",
        tiny["files"][WEIGHTS]["sha256"],
        "not cached",
        f"/{NAME}/v1/{WEIGHTS}",
        "    test_mse  0.5  (made up for the tests)",
    ):
        assert needle in out
    code, out, _ = run(capsys, "info", NAME, "--json")
    assert code == 0 and json.loads(out) == zoo.info(NAME)


def test_unknown_name_is_a_one_line_error_with_suggestions(tiny, capsys):
    for command in ("info", "download", "verify"):
        code, out, err = run(capsys, command, "tiny_mpl")
        assert code == 1 and out == ""
        assert_one_line_error(err, "Unknown model 'tiny_mpl'", "Did you mean: tiny_mlp")


def test_download_then_verify_then_detect_corruption(tiny, capsys):
    code, out, err = run(capsys, "verify", NAME)
    assert code == 1 and err.count("MISSING") == 3 and f"zoo download {NAME}" in err

    code, out, _ = run(capsys, "download", NAME)
    folder = hub.preset_dir(NAME, tiny["version"])
    assert code == 0 and out.strip() == str(folder)
    code, out, _ = run(capsys, "verify", NAME)
    assert code == 0 and out.count("OK") == 3

    path = folder / WEIGHTS
    data = path.read_bytes()
    path.write_bytes(data[:-1] + bytes([data[-1] ^ 0xFF]))
    actual = hashlib.sha256(path.read_bytes()).hexdigest()
    code, out, err = run(capsys, "verify")
    assert code == 1 and "CORRUPT" in err and str(path) in err
    assert tiny["files"][WEIGHTS]["sha256"] in err and actual in err
    assert run(capsys, "download", NAME, "--force")[0] == 0
    assert run(capsys, "verify", NAME)[0] == 0


def test_verify_without_name_only_lists_presets_not_downloaded(tiny, capsys):
    code, out, _ = run(capsys, "verify")
    assert code == 0 and "MISSING" not in out
    assert out.splitlines()[-1].startswith("Not downloaded, nothing to verify: ") and NAME in out


def test_offline_download_fails_with_the_fix(tiny, monkeypatch, capsys):
    monkeypatch.setenv("ZOO_ENDPOINT", "https://example.org/zoo_weights")
    monkeypatch.setenv("ZOO_OFFLINE", "1")
    code, _, err = run(capsys, "download", NAME)
    assert code == 1
    assert_one_line_error(err, "ZOO_OFFLINE=1", f"zoo download {NAME}", WEIGHTS)


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["cache-dir"], lambda: os.environ["ZOO_HOME"]),
        (["--version"], lambda: f"zoo {zoo.__version__}"),
    ],
)
def test_commands_that_need_no_tensorflow_run_as_a_real_process(argv, expected):
    result = subprocess.run(
        [sys.executable, "-m", "zoo.cli", *argv],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and result.stdout.strip() == expected()


_NO_TENSORFLOW = """
import sys
import zoo, zoo.cli, zoo.models, zoo.data, zoo.layers
for argv in ({argvs}):
    try:
        zoo.cli.main(argv)
    except SystemExit:  # --help
        pass
    assert "tensorflow" not in sys.modules, argv
    assert "keras" not in sys.modules, argv
print("TF-FREE")
"""


def test_list_info_cache_dir_and_help_never_import_tensorflow():
    argvs = (
        "['list'], ['list', '*mnist', '--pretrained'], ['info', 'vae_mnist'], "
        "['info', 'dcgan_fashion_mnist', '--json'], ['cache-dir'], ['--help'], ['list', '--help']"
    )
    result = subprocess.run(
        [sys.executable, "-c", _NO_TENSORFLOW.format(argvs=argvs)],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith("TF-FREE")
    assert "cuda" not in result.stderr.lower() and not result.stderr.strip(), result.stderr


def test_lazy_attributes_import_their_module_on_first_use():
    script = (
        "import sys, zoo\n"
        "assert 'tensorflow' not in sys.modules\n"
        "print(zoo.models.VAE.__name__, zoo.layers.MaskedDense.__name__, zoo.data.load.__name__)\n"
        "assert 'tensorflow' in sys.modules\n"
        "assert 'VAE' in dir(zoo.models) and 'energy' in dir(zoo.models)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], check=False, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["VAE", "MaskedDense", "load"]


def test_commands_that_load_tensorflow_keep_its_start_up_logging_quiet(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "zoo.cli",
            "sample",
            "rbm_fashion_mnist",
            "-n",
            "4",
            "-o",
            str(tmp_path / "grid.png"),
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "grid.png").is_file()
    # TensorFlow's C++ start-up lines (oneDNN, CUDA, cpu_feature_guard) are glog lines,
    # `I0000 00:00:1796647753.392462   11105 port.cc:153] ...`, after absl's banner. Match
    # that form, not words: the command's own output names paths that may hold any word.
    noisy = [
        line
        for line in result.stderr.splitlines()
        if GLOG_LINE.match(line) or "absl::InitializeLog" in line
    ]
    assert not noisy, noisy


def test_the_quiet_start_up_check_recognizes_tensorflow_log_lines():
    banner = (
        "I0000 00:00:1796647753.392462   11105 port.cc:153] oneDNN custom operations are on.",
        "W0000 00:00:1796647755.603687   11105 cpu_feature_guard.cc:210] This TensorFlow ...",
    )
    assert all(GLOG_LINE.match(line) for line in banner)
    ours = "Downloading file:///tmp/oneDNN1/cuda/zoo_weights/rbm_fashion_mnist/v3/config.json"
    assert not GLOG_LINE.match(ours)
