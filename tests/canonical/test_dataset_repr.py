"""A dataset shows itself in one short line and, in a notebook, as its input report."""

from __future__ import annotations

from pathlib import Path

import revenue_retention as rr


def test_repr_is_one_short_line(tmp_path: Path) -> None:
    path = tmp_path / "three.csv"
    path.write_text(
        "customer_id,month,mrr,segment\na,2024-01,10,SMB\na,2024-02,12,SMB\nb,2024-02,5,ENT\n",
        encoding="utf-8",
    )
    data = rr.load(path)
    text = repr(data)
    assert text == (
        "<Dataset three.csv: 3 rows (0 rejected), 2024-01 to 2024-02, attributes segment; duckdb>"
    )
    assert len(text) < 300 and "\n" not in text


def test_html_repr_is_the_input_report_escaped(tmp_path: Path) -> None:
    path = tmp_path / "<b>.csv"
    path.write_text("customer_id,month,mrr\na,2024-01,10\na,2024-02,x\n", encoding="utf-8")
    page = rr.load(path, on_bad_rows="reject")._repr_html_()
    assert "<td>1</td>" in page  # one row rejected
    assert "&lt;b&gt;.csv" in page and "<b>" not in page
