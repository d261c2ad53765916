"""The JSON contract: one sha256 per command output on the demo, saved or checked.

A refactor that must not change behaviour (issue 17) proves it here: save the hashes on
`main` before the change, check them after. Every command runs through the installed
`retention` script, as a user would, on the demo data set that `retention demo` writes.

    python benchmarks/contract.py --save before.txt
    python benchmarks/contract.py --check before.txt   # exit 1 and the differing lines

Each line of the file is `<sha256>  <bytes>  <output name>`. CSV output (`-f csv -o DIR`)
is hashed file by file; the report contributes the JSON it embeds for its scripts (the
HTML around it carries a generation time and is not part of the contract).
"""

from __future__ import annotations

import argparse
import hashlib
import re
import subprocess
import sys
import tempfile
from pathlib import Path

# The commands of the contract, as passed after `retention` (the input file goes second).
COMMANDS: tuple[tuple[str, ...], ...] = (
    ("metrics",),
    ("metrics", "--by", "segment"),
    ("metrics", "--method", "movement", "--windows", "12"),
    ("metrics", "--windows", "12", "--ci", "0.9"),
    ("cohorts",),
    ("cohorts", "--grain", "quarter", "--metric", "grr"),
    ("concentration",),
    ("decompose",),
    ("seasonality",),
    ("methods",),
    ("diagnose",),
    ("explain",),
    ("explain", "--period", "2025-12"),
    ("explain", "--by", "segment=SMB", "--limit", "5"),
)

REPORT_DATA = re.compile(r'<script type="application/json" id="report-data">(.*?)</script>', re.S)


def _retention() -> str:
    """The `retention` script installed next to this interpreter."""
    script = Path(sys.executable).with_name("retention")
    return str(script) if script.exists() else "retention"


def _run(args: list[str], cwd: Path) -> bytes:
    done = subprocess.run([_retention(), *args], capture_output=True, check=False, cwd=cwd)
    if done.returncode != 0:
        sys.exit(f"retention {' '.join(args)} exited {done.returncode}:\n{done.stderr.decode()}")
    return done.stdout


def _line(name: str, data: bytes) -> str:
    return f"{hashlib.sha256(data).hexdigest()}  {len(data)}  {name}"


def hashes(work: Path) -> list[str]:
    """Run every command of the contract on a fresh demo in `work`; one line per output."""
    # Relative paths: the JSON names its input file, which must not be the temporary folder.
    _run(["demo", "--out", "demo"], work)
    demo = "demo/demo.csv"
    lines = []
    for number, command in enumerate(COMMANDS):
        name = " ".join(command)
        lines.append(
            _line(f"{name} -f json", _run([command[0], demo, *command[1:], "-f", "json"], work))
        )
        folder = work / f"csv-{number}"
        _run([command[0], demo, *command[1:], "-f", "csv", "-o", folder.name], work)
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            lines.append(_line(f"{name} -f csv {path.relative_to(folder)}", path.read_bytes()))
    report = work / "report.html"
    _run(["report", demo, "-o", report.name], work)
    found = REPORT_DATA.search(report.read_text(encoding="utf-8"))
    if found is None:
        sys.exit("the report embeds no report-data JSON")
    lines.append(_line("report report-data", found.group(1).encode()))
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--save", type=Path, metavar="FILE", help="write the hashes to FILE")
    mode.add_argument("--check", type=Path, metavar="FILE", help="compare with FILE's hashes")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="contract-") as work:
        lines = hashes(Path(work))
    for line in lines:
        print(line)
    if options.save is not None:
        options.save.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"saved {len(lines)} hashes to {options.save}")
        return 0
    # Lines starting with # are notes (which commit the hashes were taken on).
    expected = [
        line
        for line in options.check.read_text(encoding="utf-8").splitlines()
        if not line.startswith("#")
    ]
    if lines == expected:
        print(f"contract holds: {len(lines)} outputs identical to {options.check}")
        return 0
    missing = [line for line in expected if line not in lines]
    changed = [line for line in lines if line not in expected]
    for line in missing:
        print(f"- {line}")
    for line in changed:
        print(f"+ {line}")
    print(f"contract broken: {len(missing)} expected outputs differ or are missing")
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
