"""A machine without chromium skips the browser tests, as one without Java or PostgreSQL
skips theirs; CI (``RR_REQUIRE_ENGINES=1``) fails them instead."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.servers import chromium_path

ROOT = Path(__file__).parents[1]
BROWSER_TESTS = "tests/outputs/test_report_browser.py"


def _executable(path: Path) -> Path:
    path.write_text("#!/bin/sh\n", encoding="utf-8")
    path.chmod(0o755)
    return path


def test_chromium_is_looked_up_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RR_CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert chromium_path() is None
    fake = _executable(tmp_path / "chromium")
    assert chromium_path() == str(fake)


def test_rr_chromium_names_the_browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("RR_CHROMIUM", str(tmp_path / "absent"))
    assert chromium_path() is None
    monkeypatch.setenv("RR_CHROMIUM", str(tmp_path))  # a folder is no browser
    assert chromium_path() is None
    fake = _executable(tmp_path / "my-chromium")
    monkeypatch.setenv("RR_CHROMIUM", str(fake))
    assert chromium_path() == str(fake)


def _browser_tests(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """The browser tests in a pytest of their own, on a machine without chromium."""
    environ = {k: v for k, v in os.environ.items() if k != "RR_REQUIRE_ENGINES"}
    environ |= {"RR_CHROMIUM": str(tmp_path / "no-chromium"), **env}
    return subprocess.run(
        [sys.executable, "-m", "pytest", BROWSER_TESTS, "-q"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_browser_tests_skip_with_their_reason_without_chromium(tmp_path: Path) -> None:
    run = _browser_tests(tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    last = run.stdout.strip().splitlines()[-1]
    assert " skipped" in last and "passed" not in last and "error" not in last, last
    assert "SKIPPED" in run.stdout and "no chromium" in run.stdout  # the reason is shown


def test_browser_tests_fail_without_chromium_when_required(tmp_path: Path) -> None:
    run = _browser_tests(tmp_path, RR_REQUIRE_ENGINES="1")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "RR_REQUIRE_ENGINES=1 but no chromium" in run.stdout
    assert " skipped" not in run.stdout.strip().splitlines()[-1]
