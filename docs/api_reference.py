"""Write docs/api.md, the Python API reference, from the package's own docstrings.

Every name of ``revenue_retention.__all__``, grouped by kind (analyses, other functions,
results and data classes, errors and warnings, constants), with its signature and its whole
docstring. ``make docs`` runs it; tests/test_api_reference.py fails when docs/api.md is
not what this script writes, so the reference cannot drift from the code.

Usage: python docs/api_reference.py [--check]
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

import revenue_retention as rr

OUT = Path(__file__).with_name("api.md")

HEADER = """\
# Python API reference

Generated from the docstrings by `docs/api_reference.py` (`make docs`); do not edit by
hand. Every name is imported from the package root: `import revenue_retention as rr`.
The conventions: every analysis is `compute_*(data, *, ...)`, its window `window_months`,
its month `as_of="YYYY-MM"` (or a `datetime.date`; the data's last month by default); money
is `Decimal`; errors are `rr.RetentionError` subclasses naming the Python parameter; data
problems that do not stop a run are `rr.DataWarning` warnings.
"""

KINDS = (
    ("Analyses", lambda n, o: n.startswith("compute_")),
    ("Loading, engines and other functions", lambda n, o: inspect.isfunction(o)),
    (
        "Errors and warnings",
        lambda n, o: inspect.isclass(o) and issubclass(o, (Exception, Warning)),
    ),
    ("Results and data classes", lambda n, o: inspect.isclass(o)),
    ("Constants", lambda n, o: True),
)


def _signature(name: str, obj: object) -> str:
    if inspect.isfunction(obj):
        return f"rr.{name}{inspect.signature(obj)}"
    if inspect.isclass(obj):
        return f"class rr.{name}"
    return f"rr.{name} = {obj!r}"


def _section(name: str, obj: object) -> str:
    doc = inspect.getdoc(obj) if (inspect.isfunction(obj) or inspect.isclass(obj)) else None
    parts = [f"### `{name}`", "", "```python", _signature(name, obj), "```", ""]
    if doc:
        parts += ["```text", doc, "```", ""]
    return "\n".join(parts)


def reference() -> str:
    """The text of docs/api.md."""
    names = sorted(rr.__all__, key=str.lower)
    objects = {name: getattr(rr, name) for name in names}
    placed: set[str] = set()
    out = [HEADER]
    for title, belongs in KINDS:
        chosen = [n for n in names if n not in placed and belongs(n, objects[n])]
        if not chosen:
            continue
        placed.update(chosen)
        out.append(f"## {title}\n")
        out.append(", ".join(f"`{n}`" for n in chosen) + "\n")
        out.extend(_section(n, objects[n]) for n in chosen)
    return "\n".join(out).rstrip("\n") + "\n"


def main(argv: list[str]) -> int:
    text = reference()
    if "--check" in argv:
        if OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT} is out of date: run make docs", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT} ({len(rr.__all__)} names)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
