"""The line census against a plain reading of the file, line by line (``inputs.census``).

The oracle splits the bytes at ``\\n`` in Python and looks at each line on its own; the
census does the same in numpy arrays over chunks of the file. Chunks are made tiny, and
the longest line short, so that lines cross chunk boundaries in every way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from revenue_retention.inputs import census

#: Pieces of lines: values, quotes that pair or not, delimiters, carriage returns.
PIECES = ["", "a", '"', '""', "x,y", "\r", '"q"', '"a",b', 'a,"b', '"",x', "zz", "z" * 30]
LIMIT = 20


def lines_of(data: bytes) -> list[bytes]:
    """The file's lines, their line breaks (and a ``\\r`` before one) removed."""
    parts = data.split(b"\n")
    if parts[-1] == b"":
        parts.pop()
    return [p[:-1] if p.endswith(b"\r") else p for p in parts]


def first_unpaired(line: bytes) -> int | None:
    """Where the first quote left unpaired (pairing ``""`` left to right) is, if any."""
    i = 0
    while i < len(line):
        if line[i : i + 1] == b'"':
            j = i
            while line[j : j + 1] == b'"':
                j += 1
            if (j - i) % 2:
                return j - 1
            i = j
        else:
            i += 1
    return None


def oracle(data: bytes, columns: int) -> dict[str, Any]:
    """What the census must say, from each line on its own."""
    lines = lines_of(data)
    long = [n for n, t in enumerate(lines, 1) if len(t) > LIMIT]
    odd = [n for n, t in enumerate(lines, 1) if t.count(b'"') % 2 and n not in long]
    start = min(odd, default=len(lines) + 1)  # nothing is marked as continuing before
    marked: dict[int, dict[str, Any]] = {n: {"blank": True} for n in long}
    closers = []
    for n, text in enumerate(lines, 1):
        if n in long:
            continue
        quotes = text.count(b'"')
        unpaired = first_unpaired(text)
        paired = bool(quotes) and unpaired is None and n >= start
        reopen = (
            bool(quotes)
            and quotes % 2 == 0
            and unpaired is not None
            and text[unpaired + 1 : unpaired + 2] == b","
            and n >= start
        )
        blank = text == b"" and n > 1
        ragged = not quotes and text != b"" and text.count(b",") != columns - 1 and n >= start
        if quotes and (quotes % 2 or not (paired or reopen)):
            closers.append(n)
        if blank or ragged or quotes % 2 or paired or reopen:
            marked[n] = {
                "blank": blank,
                "ragged": ragged,
                "odd": bool(quotes % 2),
                "paired": paired,
                "may_reopen": reopen,
                "text": text.decode() if quotes else None,
            }
    for n in odd:
        after = [c for c in closers if c > n]
        if after and after[0] not in marked:
            marked[after[0]] = {"odd": False, "paired": False, "text": lines[after[0] - 1].decode()}
    return {
        "lines": len(lines),
        "blank": sum(1 for n, t in enumerate(lines, 1) if t == b"" and n > 1),
        "long": long,
        "odd": len(odd),
        "marked": marked,
    }


@settings(max_examples=300, deadline=None)
@given(
    pieces=st.lists(
        st.tuples(st.sampled_from(PIECES), st.sampled_from(["\n", "\r\n", ""])),
        min_size=1,
        max_size=30,
    ),
    chunk=st.sampled_from([1, 2, 3, 7, 16, 40, 1 << 22]),
)
def test_the_census_says_what_each_line_says(
    pieces: list[tuple[str, str]], chunk: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    data = "".join(p + end for p, end in pieces).encode()
    path = tmp_path_factory.mktemp("census") / "f.csv"
    path.write_bytes(data)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(census, "_CHUNK", chunk)
        patch.setattr(census, "MAX_LINE_BYTES", LIMIT)
        found = census.take_census(path, ",", 2)
    expected = oracle(data, 2)
    assert found.lines == expected["lines"]
    assert found.blank == expected["blank"]
    assert [line.line for line in found.long_lines] == expected["long"]
    assert found.odd_quote_lines == expected["odd"]
    for line in found.long_lines:
        content = lines_of(data)[line.line - 1]
        assert data[line.offset : line.offset + len(content)] == content
    marked = {row["n"]: row for row in found.marked.to_pylist()}
    assert set(marked) == set(expected["marked"])
    for n, flags in expected["marked"].items():
        assert {k: marked[n][k] for k in flags} == flags, n


@settings(max_examples=100, deadline=None)
@given(
    lines=st.lists(st.sampled_from(["h", "a", "bb\r", "", '"q', "z" * 9]), min_size=1),
    chosen=st.sets(st.integers(1, 12)),
    chunk=st.sampled_from([1, 3, 5, 1 << 22]),
)
def test_blank_out_empties_the_chosen_lines_and_keeps_the_others(
    lines: list[str], chosen: set[int], chunk: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("blank")
    data = "\n".join(lines).encode()
    path = folder / "f.csv"
    path.write_bytes(data)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(census, "_CHUNK", chunk)
        copy = census.blank_out(path, chosen, folder).read_bytes()
    expected = [b"" if n in chosen else t for n, t in enumerate(data.split(b"\n"), 1)]
    assert copy == b"\n".join(expected)


def test_a_line_over_the_limit_is_measured_without_being_kept(tmp_path: Path) -> None:
    big = census.MAX_LINE_BYTES + 5
    path = tmp_path / "f.csv"
    path.write_bytes(b"id,mrr\na,1\n" + b"x" * big + b"\r\nb,2\n")
    found = census.take_census(path, ",", 2)
    assert found.lines == 4
    assert [(line.line, line.offset) for line in found.long_lines] == [(3, 11)]
    assert found.long_lines[0].size >= big
    assert found.marked.to_pylist() == [
        {"n": 3, "blank": True, "ragged": False, "odd": False, "paired": False}
        | {"may_reopen": False, "text": None}
    ]
