"""docs/api.md is what docs/api_reference.py writes from the docstrings (``make docs``)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import revenue_retention as rr

SCRIPT = Path(__file__).parents[1] / "docs" / "api_reference.py"


def _generator() -> object:
    spec = importlib.util.spec_from_file_location("api_reference", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_reference_is_current() -> None:
    generator = _generator()
    written = (SCRIPT.parent / "api.md").read_text(encoding="utf-8")
    assert written == generator.reference(), "docs/api.md is out of date: run make docs"  # type: ignore[attr-defined]


def test_every_exported_name_has_a_section_and_every_function_a_docstring() -> None:
    written = (SCRIPT.parent / "api.md").read_text(encoding="utf-8")
    for name in rr.__all__:
        assert f"### `{name}`" in written, name
        obj = getattr(rr, name)
        if callable(obj):
            assert (obj.__doc__ or "").strip(), f"{name} has no docstring"
