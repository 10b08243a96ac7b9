"""A GAN run killed mid-epoch resumes from its last `BackupAndRestore` checkpoint."""

import json
import signal
import subprocess
import sys

import numpy as np
from support.child_processes import CHILDREN, child_env, run_child
from support.children.interrupted_training import KILL_EPOCH


def test_killed_gan_run_resumes_from_the_mid_epoch_checkpoint(tmp_path):
    backup, killed, resumed = tmp_path / "backup", tmp_path / "killed.npz", tmp_path / "resumed.npz"
    script = CHILDREN / "interrupted_training.py"
    run = subprocess.run(
        [sys.executable, script, "run", "GAN", backup, killed],
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == -signal.SIGKILL, run.stderr[-3000:]
    assert json.loads((backup / "training_metadata.json").read_text())["epoch"] == KILL_EPOCH

    run_child([script, "resume", "GAN", backup, resumed], timeout=300)
    at_kill, at_resume = dict(np.load(killed)), dict(np.load(resumed))
    weight_keys = sorted(k for k in at_kill if k.startswith("w"))
    assert weight_keys and weight_keys == sorted(k for k in at_resume if k.startswith("w"))
    for key in weight_keys:
        np.testing.assert_array_equal(at_resume[key], at_kill[key], err_msg=key)
    # Both optimizers' state came back: their step counters stand at the checkpoint,
    # past the first epoch's 8 steps.
    assert len(at_kill["steps"]) >= 2 and min(at_kill["steps"]) > 8
    np.testing.assert_array_equal(at_resume["steps"][: len(at_kill["steps"])], at_kill["steps"])
    assert list(at_resume["epochs"]) == [KILL_EPOCH, KILL_EPOCH + 1]  # the rest of the run
    assert not backup.exists()  # a finished run deletes its backup
