"""Child Python processes for the tests, and serving an export without zoo.

The scripts the children run are in `children/`; exporting with in-memory expectations is
`export_checks`, shared with the preset contract test.
"""

import json
import os
import pathlib
import signal
import subprocess
import sys

import numpy as np

CHILDREN = pathlib.Path(__file__).parent / "children"
TESTS = CHILDREN.parents[1]
REPO = TESTS.parent


def child_env(**extra):
    """Environment for a child Python: quiet, one thread each, repo and helpers importable."""
    env = dict(os.environ)
    env.update(
        TF_CPP_MIN_LOG_LEVEL="2",
        TF_NUM_INTRAOP_THREADS="1",
        TF_NUM_INTEROP_THREADS="1",
        PYTHONPATH=os.pathsep.join([str(REPO), str(TESTS), env.get("PYTHONPATH", "")]),
    )
    env.update(extra)
    return env


def run_child(args, timeout=240, **env):
    """Run `python *args`; fail with how it ended and its output's tails if it fails."""
    result = subprocess.run(
        [sys.executable, *map(str, args)],
        env=child_env(**env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, (
        f"{pathlib.Path(str(args[0])).name} {exit_description(result.returncode)}\n"
        f"stdout tail:\n{result.stdout[-2000:]}\nstderr tail:\n{result.stderr[-4000:]}"
    )
    return result


def exit_description(returncode):
    """How a child ended: `exited with status N`, or `was killed by SIGNAME` (negative codes)."""
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"was killed by {name}"
    return f"exited with status {returncode}"


def serve_in_tensorflow_only_process(entries, manifest_path):
    """Run the child over `entries`; return (outputs per entry, show text per entry, modules)."""
    manifest_path = pathlib.Path(manifest_path)
    manifest_path.write_text(json.dumps({"entries": entries}))
    run_child([CHILDREN / "serve_with_tensorflow_only.py", manifest_path])
    manifest = json.loads(manifest_path.read_text())
    served = []
    for entry in entries:
        with np.load(entry["outputs"]) as outputs:
            served.append({k: outputs[k] for k in outputs.files})
    shown = [pathlib.Path(entry["dir"] + ".show.txt").read_text() for entry in entries]
    return served, shown, manifest["imported_modules"]
