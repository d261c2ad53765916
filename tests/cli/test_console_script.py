"""The installed ``retention`` script in a real process: exit codes, messages, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).parent / "retention"

# Replaces a function the metrics command calls with one that fails: an internal error that
# no input can cause, raised inside the real console script. Loaded through sitecustomize.
# The command imports compute_metrics when it runs (so that --help loads nothing heavy).
FAULT = """\
import revenue_retention.analyses as analyses

def boom(*args, **kwargs):
    raise RuntimeError("injected fault")

analyses.compute_metrics = boom
"""


def run(*args: str | Path, pythonpath: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, NO_COLOR="1", COLUMNS="100")
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run(
        [str(SCRIPT), *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.mark.skipif(not SCRIPT.exists(), reason="the package is not installed in this venv")
def test_console_script_exit_codes_and_messages(tmp_path: Path) -> None:
    # bad data: exit 1, one clear message, no traceback
    bad = tmp_path / "bad.csv"
    bad.write_text("customer_id,month,mrr\nA,2024-01,abc\n", encoding="utf-8")
    data_error = run("metrics", bad)
    assert data_error.returncode == 1
    assert data_error.stdout == ""
    assert data_error.stderr.startswith(f"error: {bad}: 1 of 1 rows are invalid.\n")
    assert f"{bad}, line 2, column 'mrr': 'abc'" in data_error.stderr
    assert "Traceback" not in data_error.stderr

    # a missing file: exit 1
    missing = run("metrics", tmp_path / "nope.csv")
    assert missing.returncode == 1
    assert missing.stderr == f"error: {tmp_path / 'nope.csv'}: no such file\n"

    # an internal error: exit 70, reported as a bug, no traceback unless --debug
    good = tmp_path / "good.csv"
    good.write_text("customer_id,month,mrr\nA,2024-01,100\nA,2024-02,100\n", encoding="utf-8")
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(FAULT, encoding="utf-8")
    bug = run("metrics", good, pythonpath=site)
    assert bug.returncode == 70, bug.stderr
    assert bug.stderr.startswith(
        "internal error (a bug in revenue-retention, not in your data): "
        "RuntimeError: injected fault\n"
    )
    assert "Traceback" not in bug.stderr
    debug = run("--debug", "metrics", good, pythonpath=site)
    assert debug.returncode == 1  # Python's own exit code for an uncaught exception
    assert "Traceback" in debug.stderr
    assert "RuntimeError: injected fault" in debug.stderr
