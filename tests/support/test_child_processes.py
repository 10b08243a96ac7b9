"""`support.child_processes.run_child`: a failing child's report says how it ended."""

import signal

import pytest

from support.child_processes import exit_description, run_child


def test_a_failing_child_is_reported_with_its_exit_and_output(tmp_path):
    script = tmp_path / "fails.py"
    script.write_text("import sys\nprint('partial result')\nsys.exit(3)\n")
    with pytest.raises(AssertionError, match=r"fails.py exited with status 3(.|\n)*partial result"):
        run_child([script])


def test_a_killed_child_names_its_signal(tmp_path):
    script = tmp_path / "killed.py"
    script.write_text("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n")
    with pytest.raises(AssertionError, match="killed.py was killed by SIGKILL"):
        run_child([script])
    assert exit_description(-signal.SIGTERM) == "was killed by SIGTERM"
    assert exit_description(-99) == "was killed by signal 99"
