"""The README's Python API block runs as written (doctest-like: every line, in order)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def _python_api_block() -> str:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Python API") :]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "README's Python API section has no python block"
    return match.group(1)


def test_the_python_api_block_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    block = _python_api_block()
    namespace: dict[str, object] = {}
    exec(compile(block, "README.md", "exec"), namespace)
    # Every rr.name the block (and the section) uses exists.
    import revenue_retention as rr

    section = README.read_text(encoding="utf-8").split("## Python API")[1].split("\n## ")[0]
    for name in set(re.findall(r"\brr\.(\w+)", section)):
        assert hasattr(rr, name), name
