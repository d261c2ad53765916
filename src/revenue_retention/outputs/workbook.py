"""The Excel workbook: the report's figures as real numbers, one sheet per topic.

Every table holds the records of the matching command's JSON (``metrics``, ``cohorts``,
``concentration``, ``decompose``, ``explain`` ...) under the same field names, so the
workbook cannot disagree with them. Money is the exact decimal (shown ``#,##0.00``), rates
are fractions (shown ``0.0%``), months are dates (the first of the month, shown
``yyyy-mm``). Each table is an Excel table, so it has filter buttons and can be sorted.
"""

from __future__ import annotations

import enum
import json
import re
import warnings
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import zip_longest
from pathlib import Path
from typing import Any

from revenue_retention import __version__
from revenue_retention.analyses.cohorts import CohortResult
from revenue_retention.analyses.overview import Overview
from revenue_retention.metrics import MOVEMENTS
from revenue_retention.money import format_money
from revenue_retention.outputs.cohorts import cohort_records, cohort_size_records
from revenue_retention.outputs.concentration import concentration_document
from revenue_retention.outputs.decompose import decompose_document
from revenue_retention.outputs.definitions import DEFINITIONS
from revenue_retention.outputs.diagnose import diagnose_document
from revenue_retention.outputs.document import Document, Section
from revenue_retention.outputs.explain import explain_document
from revenue_retention.outputs.methods import methods_document
from revenue_retention.outputs.records import (
    BRIDGE_FIELDS,
    RETENTION_FIELDS,
    bridge_records,
    retention_fields,
    retention_records,
)
from revenue_retention.outputs.seasonality import seasonality_document
from revenue_retention.periods import month_label

__all__ = ["SHEETS", "write_workbook"]

#: The sheets, in their order in the file.
SHEETS = (
    "Summary",
    "Bridge",
    "Retention",
    "Cohorts",
    "Segments",
    "Concentration",
    "Decomposition",
    "Customers",
)


class Kind(enum.Enum):
    """How a column is written: its cell type and number format."""

    TEXT = enum.auto()
    MONTH = enum.auto()
    MONEY = enum.auto()
    RATE = enum.auto()
    #: A difference of two rates, signed.
    POINTS = enum.auto()
    COUNT = enum.auto()
    #: An exact decimal that is not money (a quantity).
    DECIMAL = enum.auto()
    #: A concentration index between 0 and 1.
    INDEX = enum.auto()


_FORMATS = {
    Kind.MONTH: "yyyy-mm",
    Kind.MONEY: "#,##0.00",
    Kind.RATE: "0.0%",
    Kind.POINTS: "+0.0%;-0.0%;0.0%",
    Kind.COUNT: "#,##0",
    Kind.INDEX: "0.0000",
}

# What the commands' JSON fields hold, by name; a table where a name means something else
# says so (month_of_year's movements are shares, not money). Other fields are written by
# their value's type: text, whole numbers, floats, booleans.
_MONTHS = frozenset(
    [
        "period",
        "as_of",
        "start",
        "cohort",
        "cohort_month",
        "first_payment_from",
        "first_payment_to",
        "first_month",
        "last_month",
        "data_last_month",
        "year_earlier_as_of",
    ]
)
_MONEY = frozenset(
    [
        "opening_mrr",
        "new",
        "reactivation",
        "expansion",
        "contraction",
        "churn",
        "closing_mrr",
        "transfer_in",
        "transfer_out",
        "starting_mrr",
        "ending_mrr",
        "annual_starting_mrr",
        "base_mrr",
        "mrr",
        "retained_mrr",
        "start_mrr",
        "end_mrr",
        "change",
        "amount",
        "expansion_removed",
        "cumulative_mrr",
        "net_change",
        "volume_effect",
        "price_effect",
        "volume_expansion",
        "price_increase",
        "cross_sell",
        "gross_expansion",
        "volume_contraction",
        "price_decrease",
        "product_churn",
        "gross_contraction",
        "money_read",
        "money_accepted",
        "money_rejected",
        "latest_month",
    ]
)
_RATES = frozenset(
    [
        "value",
        "median",
        "nrr_excluding_price",
        "price_share_of_expansion",
        "share_of_starting_mrr",
        "share_of_expansion",
        "customer_share",
        "mrr_share",
        "quarterly_spread",
        "annual_spread",
        "threshold",
        "year_earlier",
        "ci_low",
        "ci_high",
        "ci_level",
    ]
)
_RATE_PREFIXES = ("grr", "nrr", "logo_retention", "annual_grr", "annual_nrr")
_OTHER = {"herfindahl": Kind.INDEX, "quantity_start": Kind.DECIMAL, "quantity_end": Kind.DECIMAL}
_LABEL = re.compile(r"(\d{4})-(\d{2})")


def _kind(name: str) -> Kind | None:
    """A column's kind from its JSON field name; None: from each value's type."""
    if name in _OTHER:
        return _OTHER[name]
    if name in _MONTHS:
        return Kind.MONTH
    if name in _MONEY:
        return Kind.MONEY
    if name.endswith("_vs_cohort") or name == "change_vs_year_earlier":
        return Kind.POINTS
    if name in _RATES or name.startswith(_RATE_PREFIXES):
        return Kind.RATE
    return None


@dataclass(frozen=True)
class _Typed:
    """One value with its own kind (a list of figures of different kinds), or greyed out."""

    value: Any
    kind: Kind | None = None
    #: Shown in grey italics: a cohort figure from only the members old enough yet.
    partial: bool = False


@dataclass(frozen=True)
class _Block:
    """One table of records under a title: its fields are the column headers."""

    name: str
    title: str
    fields: tuple[str, ...]
    records: Sequence[Mapping[str, Any]]
    #: Kinds of fields whose name means something else here (shares in month_of_year).
    kinds: Mapping[str, Kind] = field(default_factory=dict)
    #: Lines under the title: how to read the table, or why it is missing.
    notes: tuple[str, ...] = ()
    #: Rates shaded by a colour scale from this column on (a cohort heatmap).
    heat_from: int | None = None

    def kind(self, name: str) -> Kind | None:
        return self.kinds.get(name) or _kind(name)

    @property
    def height(self) -> int:
        """Rows taken: title, notes, then the header and records (or a 'none' line)."""
        return 1 + len(self.notes) + (1 + max(len(self.records), 1) if self.fields else 0)


def _items(values: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A record as a list of ``item, value`` rows, each value of its own field's kind."""
    return [{"item": name, "value": _Typed(value, _kind(name))} for name, value in values.items()]


_ITEM_FIELDS = ("item", "value")


def _skipped_block(name: str, title: str, reason: str) -> _Block:
    """A block standing for an analysis the data could not support, saying why."""
    return _Block(name, title, (), [], notes=(f"Not computed: {reason}",))


@dataclass(frozen=True)
class _Sheet:
    """A sheet: a title, a caption, and stacks of blocks laid side by side.

    The first stack's first block is the sheet's main table when ``main`` is set: the
    rows above its records stay frozen on screen, with ``frozen_columns`` beside them.
    """

    name: str
    title: str
    caption: str
    stacks: tuple[tuple[_Block, ...], ...]
    main: bool = True
    frozen_columns: int = 0


#: Rows above the first block: the sheet's title and caption.
_TOP = 2
_MIN_WIDTH, _MAX_WIDTH = 6, 60
#: Records looked at to size a column: enough for a representative width, not all.
_WIDTH_SAMPLE = 500


def _value(value: Any, kind: Kind | None) -> tuple[Any, Kind | None]:
    """The cell value of a record value, and the kind that formats it."""
    if isinstance(value, _Typed):
        return _value(value.value, value.kind)
    if value is None:
        return None, None
    if kind is Kind.MONTH and isinstance(value, str):
        match = _LABEL.fullmatch(value)
        return (date(int(match[1]), int(match[2]), 1), kind) if match else (value, Kind.TEXT)
    if kind in (Kind.MONEY, Kind.DECIMAL) and isinstance(value, str | Decimal):
        return Decimal(value), kind
    if isinstance(value, bool):
        return value, None
    if isinstance(value, dict | list):
        return json.dumps(value), Kind.TEXT
    if isinstance(value, int) and kind is None:
        return value, Kind.COUNT
    if isinstance(value, str):
        return value, Kind.TEXT
    return value, kind


def _width(value: Any, kind: Kind | None) -> int:
    shown, kind = _value(value, kind)
    if shown is None:
        return 0
    if kind is Kind.MONEY:
        return len(f"{shown:,.2f}")
    if kind in (Kind.RATE, Kind.POINTS):
        return 7
    if kind is Kind.MONTH:
        return 8
    if kind is Kind.COUNT:
        return len(f"{shown:,}")
    return len(str(shown))


class _Writer:
    """Turns record values into the cells of one write-only sheet, formatted by kind."""

    def __init__(self, ws: Any) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Font

        self.ws = ws
        self._cell = WriteOnlyCell
        self._title = Font(bold=True, size=14)
        self._bold = Font(bold=True)
        self._note = Font(italic=True, color="555555")
        self._wrap = Alignment(wrap_text=True, vertical="top")

    def text(self, value: str, style: str = "") -> Any:
        cell = self._cell(self.ws, value)
        if style == "title":
            cell.font = self._title
        elif style == "bold":
            cell.font = self._bold
        elif style == "note":
            cell.font = self._note
        return cell

    def value(self, raw: Any, column_kind: Kind | None) -> Any:
        value, kind = _value(raw, column_kind)
        partial = isinstance(raw, _Typed) and raw.partial
        wrap = kind is Kind.TEXT and len(value) > _MAX_WIDTH
        if kind not in _FORMATS and not partial and not wrap:
            return value  # text, a flag or nothing: no cell object of ours needed
        cell = self._cell(self.ws, value)
        if kind in _FORMATS:
            cell.number_format = _FORMATS[kind]
        if kind in (Kind.MONEY, Kind.DECIMAL):
            # openpyxl writes numbers through "%.16g" of a float, which rounds a decimal
            # of more than 16 digits; the XML gets the exact digits instead (a reader may
            # still round them to 15, as Excel does).
            cell._value = f"{value:f}"
        if wrap:
            cell.alignment = self._wrap
        if partial:
            cell.font = self._note
        return cell


def _block_rows(block: _Block, w: _Writer) -> Iterator[list[Any]]:
    """The rows of one block, each as wide as its fields (or one cell for notes)."""
    yield [w.text(block.title, "bold")]
    for note in block.notes:
        yield [w.text(note, "note")]
    if not block.fields:
        return
    yield [w.text(name, "bold") for name in block.fields]
    if not block.records:
        yield [w.text("(none)", "note")]
    kinds = [block.kind(name) for name in block.fields]
    for record in block.records:
        yield [w.value(record.get(name), k) for name, k in zip(block.fields, kinds, strict=True)]


def _stack_width(stack: Sequence[_Block]) -> int:
    return max((max(len(b.fields), 1) for b in stack), default=1)


def _stack_rows(stack: Sequence[_Block], w: _Writer) -> Iterator[list[Any]]:
    """The blocks one under the other, a blank row between, each row padded to width."""
    width = _stack_width(stack)
    for i, block in enumerate(stack):
        if i:
            yield [None] * width
        for row in _block_rows(block, w):
            yield row + [None] * (width - len(row))


def _layout(sheet: _Sheet) -> list[tuple[_Block, int, int]]:
    """Each block with the sheet row of its title and its first column (1-based)."""
    placed = []
    column = 1
    for stack in sheet.stacks:
        row = _TOP + 1
        for block in stack:
            placed.append((block, row, column))
            row += block.height + 1
        column += _stack_width(stack) + 1
    return placed


def _table_name(sheet: str, block: str) -> str:
    return f"{sheet}_{block}"


def _add_tables(ws: Any, sheet: _Sheet) -> None:
    """An Excel table (filter buttons, banded rows) over each block's header and records."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.filters import AutoFilter
    from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

    for block, row, column in _layout(sheet):
        if not block.fields or not block.records:
            continue  # a table needs a header and at least one row
        header = row + 1 + len(block.notes)
        ref = (
            f"{get_column_letter(column)}{header}:"
            f"{get_column_letter(column + len(block.fields) - 1)}{header + len(block.records)}"
        )
        table = Table(
            displayName=_table_name(sheet.name, block.name),
            ref=ref,
            autoFilter=AutoFilter(ref=ref),
            tableColumns=[TableColumn(id=i, name=n) for i, n in enumerate(block.fields, 1)],
            tableStyleInfo=TableStyleInfo(name="TableStyleLight1", showRowStripes=True),
        )
        with warnings.catch_warnings():
            # We do add the table's columns ourselves, as write-only mode requires.
            warnings.filterwarnings("ignore", "In write-only mode you must add table columns")
            ws.add_table(table)
        if block.heat_from is not None:
            first = get_column_letter(column + block.heat_from)
            _shade(ws, f"{first}{header + 1}:{ref.split(':')[1]}")


def _shade(ws: Any, cells: str) -> None:
    """Rates below 100% shaded towards vermillion, above towards blue (colour-blind safe)."""
    from openpyxl.formatting.rule import ColorScaleRule

    from revenue_retention.outputs.charts import OKABE_ITO

    ws.conditional_formatting.add(
        cells,
        ColorScaleRule(
            start_type="num",
            start_value=0.5,
            start_color="FF" + OKABE_ITO["vermillion"].lstrip("#"),
            mid_type="num",
            mid_value=1,
            mid_color="FFFFFFFF",
            end_type="num",
            end_value=1.5,
            end_color="FF" + OKABE_ITO["blue"].lstrip("#"),
        ),
    )


def _set_widths(ws: Any, sheet: _Sheet) -> None:
    from openpyxl.utils import get_column_letter

    widths: dict[int, int] = {}
    for block, _, column in _layout(sheet):
        for offset, name in enumerate(block.fields):
            kind = block.kind(name)
            sample = block.records[:_WIDTH_SAMPLE]
            wide = max((_width(r.get(name), kind) for r in sample), default=0)
            widths[column + offset] = max(widths.get(column + offset, 0), len(name), wide)
    for column, wide in widths.items():
        letter = get_column_letter(column)
        ws.column_dimensions[letter].width = min(max(wide + 2, _MIN_WIDTH), _MAX_WIDTH)


def _write_sheet(wb: Any, sheet: _Sheet) -> None:
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(sheet.name)
    w = _Writer(ws)
    _set_widths(ws, sheet)
    first = sheet.stacks[0][0]
    if sheet.main:
        below_header = _TOP + 1 + len(first.notes) + 2
        ws.freeze_panes = f"{get_column_letter(sheet.frozen_columns + 1)}{below_header}"
    else:
        ws.freeze_panes = f"A{_TOP + 1}"
    ws.append([w.text(sheet.title, "title")])
    ws.append([w.text(sheet.caption, "note")])
    widths = [_stack_width(s) for s in sheet.stacks]
    streams = [_stack_rows(stack, w) for stack in sheet.stacks]
    for parts in zip_longest(*streams):
        row: list[Any] = []
        for i, part in enumerate(parts):
            if i:
                row.append(None)
            row += part if part is not None else [None] * widths[i]
        ws.append(row)
    _add_tables(ws, sheet)


class _FixedTimeZip(zipfile.ZipFile):
    """A zip whose members all carry the same date, so equal content gives equal bytes."""

    DATE = (1980, 1, 1, 0, 0, 0)

    def writestr(
        self, zinfo_or_arcname: str | zipfile.ZipInfo, data: Any, *args: Any, **kwargs: Any
    ) -> None:
        if isinstance(zinfo_or_arcname, str):
            zinfo_or_arcname = zipfile.ZipInfo(zinfo_or_arcname, date_time=self.DATE)
            zinfo_or_arcname.compress_type = self.compression
        super().writestr(zinfo_or_arcname, data, *args, **kwargs)

    def write(self, filename: Any, arcname: Any = None, *args: Any, **kwargs: Any) -> None:
        # openpyxl streams each write-only sheet to a temporary file, then adds that file.
        self.writestr(str(arcname), Path(filename).read_bytes())


def write_workbook(ov: Overview, path: str | Path) -> Path:
    """Write the workbook of ``ov`` to ``path`` (parent folders created); return the path.

    Parameters
    ----------
    ov
        Every analysis of one dataset, from ``overview``.
    path
        The ``.xlsx`` file to write; replaced whole, never left half-written.

    Returns
    -------
    Path
        ``path``. Its sheets are ``SHEETS``: each table holds the records of the matching
        command's JSON, an analysis the data could not support is a line saying why, and
        the file's times are fixed, so the same overview gives the same bytes.
    """
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook(write_only=True)
    wb.properties.creator = f"revenue-retention {__version__}"
    # A fixed time (the zip format's epoch) rather than now: same input, same bytes.
    wb.properties.created = wb.properties.modified = datetime(*_FixedTimeZip.DATE)
    for sheet in sheets(ov):
        _write_sheet(wb, sheet)
    # Written aside then renamed: a failed run leaves no half-written workbook behind.
    partial = target.with_name(f".{target.name}.partial")
    try:
        # ExcelWriter rather than Workbook.save, which stamps the current time in the file.
        with _FixedTimeZip(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            ExcelWriter(wb, archive).save()
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


# --- The sheets: which records go where ------------------------------------------------


def _section(document: Document, name: str) -> Section:
    return next(s for s in document.sections if s.name == name)


def _from(document: Document, name: str, title: str, *notes: str, **kinds: Kind) -> _Block:
    """A block holding one section of a command's document, as its JSON has it."""
    section = _section(document, name)
    return _Block(name, title, section.fields, section.records, kinds, notes)


def _item_block(name: str, title: str, record: Mapping[str, Any], *notes: str) -> _Block:
    return _Block(name, title, _ITEM_FIELDS, _items(record), notes=notes)


def _skipped(ov: Overview, analysis: str, title: str) -> _Block:
    return _skipped_block(analysis.replace(" ", "_"), title, ov.skipped.get(analysis, "no result"))


def _headline(ov: Overview, retention: list[dict[str, Any]]) -> _Block:
    """GRR, NRR and logo retention of the headline window, a year earlier and the interval."""
    rows = {(r["as_of"], r["window_months"]): r for r in retention}
    now = rows.get((ov.as_of_label, ov.window))
    earlier_label = month_label(ov.as_of - 12)
    before = rows.get((earlier_label, ov.window))
    cohort = ov.intervals.get(ov.as_of, ov.window) if ov.intervals else None
    records = []
    for metric in ("grr", "nrr", "logo_retention"):
        value = now[metric] if now else None
        earlier = before[metric] if before else None
        interval = cohort.rate(metric) if cohort else None
        records.append(
            {
                "metric": metric,
                "as_of": ov.as_of_label,
                "window_months": ov.window,
                "value": value,
                "year_earlier_as_of": earlier_label,
                "year_earlier": earlier,
                "change_vs_year_earlier": (
                    None if value is None or earlier is None else value - earlier
                ),
                "ci_low": interval.low if interval else None,
                "ci_high": interval.high if interval else None,
                "ci_level": ov.intervals.level if ov.intervals and interval else None,
            }
        )
    return _Block(
        "headline",
        f"GRR, NRR and logo retention: {ov.window}-month window to {ov.as_of_label}",
        tuple(records[0]),
        records,
        notes=(
            "Cohort method (METRICS.md §3); against the same window a year earlier; ci_low "
            "and ci_high: bootstrap interval, the cohort's customers resampled (§7).",
        ),
    )


def _about(ov: Overview) -> dict[str, Any]:
    """What was read and how it was computed, one line each."""
    r = ov.input
    about: dict[str, Any] = {
        "file": r.path,
        "adapter": r.adapter,
        "layout": r.layout,
        "snapshot": f"{r.snapshot} day of month",
        "rows_read": r.rows_read,
        "rows_accepted": r.rows_accepted,
        "rows_rejected": r.rows_rejected,
    }
    about |= {f"rejected: {k}": n for k, n in sorted(r.rejected_by_reason.items())}
    about |= {
        "money_read": format_money(r.money_read),
        "money_accepted": format_money(r.money_accepted),
        "money_rejected": format_money(r.money_rejected),
        "first_month": month_label(r.months.first),
        "last_month": month_label(r.months.last),
        "as_of": ov.as_of_label,
        "window_months": ov.window,
        "method": "cohort (METRICS.md §3); other methods labelled on the Retention sheet",
        "segments_by": ov.segment_by,
        "attributes": ", ".join(r.attributes),
        "benchmarks": ov.benchmarks.path,
    }
    about |= {f"warning {i}": w for i, w in enumerate(r.warnings, 1)}
    about |= {f"not computed: {k}": why for k, why in sorted(ov.skipped.items())}
    return about | {"written_by": f"revenue-retention {__version__}"}


def _summary(ov: Overview) -> _Sheet:
    retention = retention_records(ov.metrics, groups=False)
    blocks = [
        _headline(ov, retention),
        _Block(
            "latest",
            f"Every window to {ov.as_of_label}",
            RETENTION_FIELDS,
            [r for r in retention if r["as_of"] == ov.as_of_label],
        ),
    ]
    if ov.diagnosis is not None:
        doc = diagnose_document(ov.diagnosis)
        blocks.append(_from(doc, "benchmarks", "Benchmark bands (METRICS.md §7)"))
        diagnostics = _section(doc, "diagnostics")
        fields = ("id", "title", "triggered", "message")
        blocks.append(_Block("diagnostics", "Diagnostics", fields, diagnostics.records))
    else:
        blocks.append(_skipped(ov, "diagnostics", "Benchmarks and diagnostics"))
    blocks.append(_item_block("about", "About these figures", _about(ov)))
    definitions = [{"term": d.term, "section": d.section, "text": d.text} for d in DEFINITIONS]
    blocks.append(
        _Block("definitions", "Definitions (METRICS.md)", ("term", "section", "text"), definitions)
    )
    return _Sheet(
        "Summary",
        f"Revenue retention to {ov.as_of_label}",
        f"{Path(ov.input.path).name}: the report's figures; the other sheets hold the tables "
        "behind them, their columns named as in the JSON output. Money is exact; rates are "
        "fractions shown as percentages; months are dates shown as yyyy-mm.",
        (tuple(blocks),),
        main=False,
    )


def _trailing(ov: Overview) -> _Block:
    """The latest bridge month beside the last twelve added up (the report's waterfalls)."""
    from revenue_retention.outputs.charts.bridge import bridge_steps

    months = min(12, ov.metrics.bridge.num_rows)
    _, _, latest = bridge_steps(ov.metrics, 1)
    first, last, trailing = bridge_steps(ov.metrics, months)
    span = f"trailing_{months}_months"
    rows = [
        {
            "movement": name,
            "latest_month": format_money(latest[name]),
            span: format_money(trailing[name]),
        }
        for name in BRIDGE_FIELDS[1:]
    ]
    return _Block(
        "latest",
        f"Latest month and trailing {months} months",
        ("movement", "latest_month", span),
        rows,
        {span: Kind.MONEY},
        (
            f"latest month {month_label(last)}; trailing {months} months {month_label(first)} "
            f"to {month_label(last)}: opening of the first, movements added up, closing of "
            "the last",
        ),
    )


def _bridge(ov: Overview) -> _Sheet:
    records = bridge_records(ov.metrics, groups=False)
    main = _Block(
        "monthly",
        "MRR bridge by month (METRICS.md §2)",
        BRIDGE_FIELDS,
        records,
        notes=("closing = opening + new + reactivation + expansion - contraction - churn",),
    )
    return _Sheet(
        "Bridge",
        "MRR bridge",
        "How MRR moved from each month to the next; the first month of the data is the "
        "opening balance.",
        ((main,), (_trailing(ov),)) if records else ((main,),),
    )


def _retention(ov: Overview) -> _Sheet:
    main = _Block(
        "windows",
        "GRR, NRR and logo retention by month and window (cohort method, METRICS.md §3)",
        RETENTION_FIELDS,
        retention_records(ov.metrics, groups=False),
        notes=("as_of: the window's last month; the cohort pays in its first month",),
    )
    side: list[_Block] = []
    if ov.methods is not None:
        doc = methods_document(ov.methods)
        side.append(
            _from(
                doc,
                "methods",
                f"Methods side by side: {ov.window}-month window to {ov.as_of_label} (§3-4)",
                "why: one line on why each method differs from the cohort method",
            )
        )
    else:
        side.append(_skipped(ov, "methods", "Methods side by side"))
    doc = seasonality_document(ov.seasonality)
    side += [
        _from(doc, "quarter_of_year", "Seasonality: quarterly rates by quarter of year"),
        _from(doc, "quarters", "Quarter ends: quarterly (3-month) and annual (12-month) rates"),
        _from(
            doc,
            "month_of_year",
            "Bridge movements by month of year: mean share of opening MRR",
            **dict.fromkeys(MOVEMENTS, Kind.RATE),
        ),
        _from(doc, "swing", "Seasonal swing (METRICS.md §7)"),
    ]
    return _Sheet(
        "Retention",
        "Retention",
        "Each row: the customers paying at the start of a window, and what they kept by its "
        "end. GRR counts losses only; NRR adds expansion.",
        ((main,), tuple(side)),
    )


def _matrix(result: CohortResult, name: str, title: str) -> _Block:
    """Cohorts down, age in months across: the chosen rate of each cohort at each age."""
    records = cohort_records(result)
    sizes = cohort_size_records(result)
    ages = sorted({r["age_months"] for r in records})
    by_cell = {(r["cohort"], r["age_months"]): r for r in records}
    rows = []
    for size in sizes:
        row: dict[str, Any] = {k: size[k] for k in ("cohort", "customers", "starting_mrr")}
        for age in ages:
            cell = by_cell.get((size["cohort"], age))
            if cell is not None:
                row[f"m{age}"] = _Typed(cell["value"], Kind.RATE, partial=not cell["complete"])
        rows.append(row)
    notes = ["customers and starting_mrr: the cohort's members in their first paying month"]
    if any(s["includes_opening_balance"] for s in sizes):
        notes.append(
            f"{sizes[0]['cohort']} also holds every customer already paying in the first "
            "month of the data"
        )
    if any(not r["complete"] for r in records):
        notes.append("grey italics: only the members that have reached this age yet")
    fields = ("cohort", "customers", "starting_mrr", *(f"m{a}" for a in ages))
    return _Block(name, title, fields, rows, notes=tuple(notes), heat_from=3)


def _cohorts(ov: Overview) -> _Sheet:
    nrr = _matrix(ov.cohorts_nrr, "nrr", "NRR by acquisition month (rows) and age in months")
    logo = _matrix(ov.cohorts_logo, "logo", "Logo retention by acquisition month and age")
    return _Sheet(
        "Cohorts",
        "Acquisition cohorts",
        "Customers grouped by their first paying month; each cell relative to that month "
        "(age 0). Shading: towards orange-red below 100%, towards blue above.",
        ((nrr, logo),),
        frozen_columns=3,
    )


def _segments(ov: Overview) -> _Sheet:
    fields = retention_fields(ov.segments)
    records = retention_records(ov.segments)
    text = dict.fromkeys(ov.segments.by, Kind.TEXT)
    main = _Block(
        "windows",
        f"Retention by {ov.segment_by}, {ov.window}-month windows",
        fields,
        records,
        text,
        (f"a customer counts in the {ov.segment_by} it had at the start of the window (§3)",),
    )
    latest = [r for r in records if r["as_of"] == ov.as_of_label]
    side = _Block("latest", f"Window to {ov.as_of_label}", fields, latest, text)
    return _Sheet(
        "Segments",
        f"Segments by {ov.segment_by}",
        "Each segment's own cohort retention; scope 'total' rows are the whole business.",
        ((main,), (side,)),
    )


def _concentration(ov: Overview) -> _Sheet:
    caption = "Is the headline carried by a few accounts? (METRICS.md §5)"
    if ov.concentration is None:
        block = _skipped(ov, "concentration", "Concentration")
        return _Sheet("Concentration", "Concentration", caption, ((block,),), main=False)
    doc = concentration_document(ov.concentration)
    summary = _section(doc, "summary").records[0]
    left = (
        _item_block("summary", "The cohort's starting MRR and expansion", summary),
        _from(doc, "shares", "Held by the top k customers and expanders"),
        _from(doc, "nrr_without_top_expanders", "NRR without the top k expanders"),
        _from(doc, "top_customers", "Largest customers at the start"),
        _from(doc, "top_expanders", "Largest expanders"),
    )
    pareto = _from(
        doc, "pareto", "Pareto: cumulative share of starting MRR against share of customers"
    )
    return _Sheet("Concentration", "Concentration", caption, (left, (pareto,)), main=False)


def _decomposition(ov: Overview) -> _Sheet:
    caption = "What the change in MRR is made of: volume, price and cross-sell (METRICS.md §6)"
    if ov.decomposition is None:
        block = _skipped(ov, "decomposition", "Price, volume and cross-sell")
        return _Sheet("Decomposition", "Decomposition", caption, ((block,),), main=False)
    doc = decompose_document(ov.decomposition)
    main = _from(doc, "customers", "Per customer of the cohort, by component")
    side = (
        _item_block("totals", "Totals", _section(doc, "totals").records[0]),
        _from(doc, "movements", "By the customer's own net change (§3)"),
        _from(doc, "products", "By product"),
    )
    return _Sheet("Decomposition", "Decomposition", caption, ((main,), side))


def _customers(ov: Overview) -> _Sheet:
    caption = "Every customer of the headline window's cohort, largest change first"
    if ov.explain is None:
        block = _skipped(ov, "customers", "Customers")
        return _Sheet("Customers", "Customers", caption, ((block,),), main=False)
    doc = explain_document(ov.explain)
    attributes = dict.fromkeys(ov.input.attributes, Kind.TEXT)
    main = _from(
        doc,
        "customers",
        f"Customers paying at {month_label(ov.explain.start)}: {ov.window}-month window to "
        f"{ov.as_of_label}",
        **attributes,
    )
    side = (
        _item_block("totals", "Totals (the Retention row)", _section(doc, "totals").records[0]),
        _from(doc, "movements", "By movement"),
    )
    return _Sheet("Customers", "Customers", caption, ((main,), side))


def sheets(ov: Overview) -> list[_Sheet]:
    """The workbook's sheets, in ``SHEETS`` order."""
    return [
        _summary(ov),
        _bridge(ov),
        _retention(ov),
        _cohorts(ov),
        _segments(ov),
        _concentration(ov),
        _decomposition(ov),
        _customers(ov),
    ]
