"""The demo report in a real browser: Debian's chromium driven by Playwright, network off.

The page is opened from ``file://`` with every network request blocked and counted; the
figures it shows are read back from the page (the headline's ``<data>`` elements and each
Plotly chart's own ``data``) and compared with the JSON of the ``retention`` commands,
never with pixels. Screenshots at 1280 px and at a phone width are written to
``test-output/`` (or ``$RR_TEST_OUTPUT``) for a person to look at.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, Route, sync_playwright
from tests.servers import chromium_path, unavailable
from typer.testing import CliRunner

from revenue_retention.cli import app
from revenue_retention.datasets import write_demo_csv

pytestmark = pytest.mark.browser
# The flags a headless chromium needs here: no sandbox as root, and none of its own
# background traffic (updates, sync), which a closed network would refuse noisily.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
OUTPUT = Path(os.environ.get("RR_TEST_OUTPUT", Path(__file__).parents[2] / "test-output"))
REPORT_CHARTS = (
    "bridge-month",
    "bridge-ttm",
    "retention-trend",
    "cohort-heatmap",
    "segments",
    "concentration",
    "expansion-split",
    "seasonality",
    "methods",
)


def _run(*args: object) -> str:
    result = CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The demo data, its report and workbook, and the JSON of the commands behind them."""
    folder = tmp_path_factory.mktemp("report")
    csv = write_demo_csv(folder / "demo.csv")
    html = folder / "report.html"
    _run("report", csv, "-o", html, "--quiet")
    return {
        "csv": csv,
        "html": html,
        "metrics": json.loads(_run("metrics", csv, "-f", "json")),
        "cohorts_nrr": json.loads(_run("cohorts", csv, "-f", "json", "--metric", "nrr")),
        "cohorts_logo": json.loads(_run("cohorts", csv, "-f", "json", "--metric", "logo")),
        "concentration": json.loads(_run("concentration", csv, "-f", "json")),
        "decompose": json.loads(_run("decompose", csv, "-f", "json")),
        "seasonality": json.loads(_run("seasonality", csv, "-f", "json")),
        "methods": json.loads(_run("methods", csv, "-f", "json")),
        "segments": json.loads(_run("metrics", csv, "-f", "json", "-w", "12", "--by", "segment")),
    }


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = chromium_path()
    if executable is None:
        unavailable(
            "no chromium ($RR_CHROMIUM, or chromium on PATH) for the report's browser "
            "tests: apt-get install chromium, or point RR_CHROMIUM at one"
        )
    assert executable is not None
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Opened:
    """A page with the report loaded, and everything it tried to do."""

    def __init__(self, page: Page, url: str) -> None:
        self.page = page
        self.url = url
        self.requests: list[str] = []
        self.blocked: list[str] = []
        self.errors: list[str] = []


def _open(browser: Browser, html: Path, width: int, height: int = 900) -> Opened:
    context = browser.new_context(viewport={"width": width, "height": height}, offline=True)
    page = context.new_page()
    opened = Opened(page, html.as_uri())

    def block(route: Route) -> None:
        if route.request.url == opened.url:
            route.continue_()  # the report itself; anything else is a request it must not make
            return
        opened.blocked.append(route.request.url)
        route.abort()

    def request(req: Request) -> None:
        if req.url != opened.url:
            opened.requests.append(req.url)

    def console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            opened.errors.append(f"{message.type}: {message.text}")

    context.route("**/*", block)
    page.on("request", request)
    page.on("console", console)
    page.on("pageerror", lambda error: opened.errors.append(f"page error: {error}"))
    page.goto(opened.url, wait_until="load")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.js-plotly-plot')]"
        ".every(gd => gd._fullLayout && gd.querySelector('svg.main-svg'))"
    )
    return opened


@pytest.fixture(scope="module")
def desktop(browser: Browser, built: dict[str, Any]) -> Iterator[Opened]:
    opened = _open(browser, built["html"], 1280)
    yield opened
    opened.page.context.close()


def _chart_data(page: Page, chart_id: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = page.evaluate(
        "id => JSON.parse(JSON.stringify(document.getElementById(id).data))", chart_id
    )
    return data


def _trace(page: Page, chart_id: str, name: str) -> dict[str, Any]:
    traces = _chart_data(page, chart_id)
    found = [t for t in traces if t.get("name") == name]
    assert found, f"{chart_id} has no trace {name!r}: {[t.get('name') for t in traces]}"
    return found[0]


def test_makes_no_request_and_logs_no_error(desktop: Opened) -> None:
    assert desktop.requests == []
    assert desktop.blocked == []
    assert desktop.errors == []


def test_every_chart_is_drawn(desktop: Opened) -> None:
    drawn = desktop.page.evaluate(
        """() => [...document.querySelectorAll('.js-plotly-plot')].map(gd => {
            const svg = gd.querySelector('svg.main-svg').getBoundingClientRect();
            const marks = gd.querySelectorAll(
              '.trace, .point, .bars path, .hm, .heatmaplayer image, .scatterlayer path').length;
            return {id: gd.id, width: svg.width, height: svg.height, traces: gd.data.length,
                    marks: marks};
        })"""
    )
    assert [d["id"] for d in drawn] == list(REPORT_CHARTS)
    for chart in drawn:
        assert chart["width"] > 300 and chart["height"] > 200, chart
        assert chart["traces"] > 0 and chart["marks"] > 0, chart


def test_headline_equals_metrics_json(desktop: Opened, built: dict[str, Any]) -> None:
    rows = built["metrics"]["retention"]
    last = built["metrics"]["input"]["last_month"]
    now = next(r for r in rows if r["as_of"] == last and r["window_months"] == 12)
    year = int(last[:4]) - 1
    earlier = next(
        r for r in rows if r["as_of"] == f"{year}{last[4:]}" and r["window_months"] == 12
    )
    for metric in ("grr", "nrr", "logo_retention"):
        shown = desktop.page.get_attribute(f"data.rate[data-metric='{metric}']", "value")
        assert shown is not None and float(shown) == now[metric]
        before = desktop.page.get_attribute(
            f"data.rate-year-earlier[data-metric='{metric}']", "value"
        )
        assert before is not None and float(before) == earlier[metric]
        text = desktop.page.inner_text(f"data.rate[data-metric='{metric}']")
        assert text == f"{now[metric] * 100:.1f}%"


def test_reconciliation_is_shown(desktop: Opened, built: dict[str, Any]) -> None:
    report = built["metrics"]["input"]
    for name in ("rows_read", "rows_accepted", "rows_rejected"):
        element = f"#{name.replace('_', '-')}"
        assert desktop.page.get_attribute(element, "value") == str(report[name])
    assert Decimal(report["money_read"]) == Decimal(report["money_accepted"]) + Decimal(
        report["money_rejected"]
    )


def test_sortable_customer_tables(desktop: Opened) -> None:
    page = desktop.page
    table = "#customers-churn"
    before = page.eval_on_selector_all(f"{table} tbody tr td:nth-child(4)", _SORT_VALUES)
    assert before == sorted(before)  # churn: largest loss (most negative change) first
    page.click(f"{table} thead th:nth-child(4)")
    after = page.eval_on_selector_all(f"{table} tbody tr td:nth-child(4)", _SORT_VALUES)
    assert after == sorted(before)
    page.click(f"{table} thead th:nth-child(4)")
    after = page.eval_on_selector_all(f"{table} tbody tr td:nth-child(4)", _SORT_VALUES)
    assert after == sorted(before, reverse=True)


_SORT_VALUES = "cells => cells.map(c => Number(c.getAttribute('data-sort')))"


def test_screenshots_at_desktop_and_phone_width(browser: Browser, built: dict[str, Any]) -> None:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    for width, name in ((1280, "report-1280.png"), (390, "report-390.png")):
        opened = _open(browser, built["html"], width)
        try:
            # Nothing wider than the screen: no sideways scrolling of the page itself.
            overflow = opened.page.evaluate(
                "() => document.documentElement.scrollWidth - window.innerWidth"
            )
            assert overflow <= 0, f"page is {overflow}px wider than {width}px"
            opened.page.screenshot(path=str(OUTPUT / name), full_page=True)
            assert (OUTPUT / name).stat().st_size > 50_000
            assert opened.errors == []
        finally:
            opened.page.context.close()


# ---- every chart's data, read from the page, against the JSON of the matching command ----


def test_bridge_waterfalls_equal_metrics_json(desktop: Opened, built: dict[str, Any]) -> None:
    bridge = built["metrics"]["bridge"]
    steps = ("opening_mrr", "new", "reactivation", "expansion", "contraction", "churn")
    negative = {"contraction", "churn"}

    def signed(field: str, amount: Decimal) -> Decimal:
        return -amount if field in negative else amount

    month = _trace(desktop.page, "bridge-month", "MRR bridge")
    last = bridge[-1]
    expected = [(signed(f, Decimal(last[f])), f) for f in steps]
    expected.append((Decimal(last["closing_mrr"]), "closing_mrr"))
    assert [(Decimal(a), f) for a, f in month["customdata"]] == expected
    assert month["y"][:-1] == [float(a) for a, _ in expected[:-1]]

    # Trailing twelve months: the first month's opening, each movement summed, the last
    # month's closing, all exact.
    ttm = _trace(desktop.page, "bridge-ttm", "MRR bridge")
    rows = bridge[-12:]
    sums = {f: sum((Decimal(r[f]) for r in rows), Decimal(0)) for f in steps[1:]}
    expected = [(Decimal(rows[0]["opening_mrr"]), "opening_mrr")]
    expected += [(signed(f, sums[f]), f) for f in steps[1:]]
    expected.append((Decimal(rows[-1]["closing_mrr"]), "closing_mrr"))
    assert [(Decimal(a), f) for a, f in ttm["customdata"]] == expected
    assert sum(a for a, _ in expected[:-1]) == expected[-1][0]  # the bridge identity


def test_trend_equals_metrics_json(desktop: Opened, built: dict[str, Any]) -> None:
    rows = [r for r in built["metrics"]["retention"] if r["window_months"] == 12]
    for name, field in (("GRR", "grr"), ("NRR", "nrr"), ("Logo retention", "logo_retention")):
        trace = _trace(desktop.page, "retention-trend", name)
        assert trace["x"] == [r["as_of"] for r in rows]
        assert trace["y"] == [r[field] for r in rows]
        assert [c[0] for c in trace["customdata"]] == [r["starting_mrr"] for r in rows]


def test_cohort_heatmap_equals_cohorts_json(desktop: Opened, built: dict[str, Any]) -> None:
    for name, document in (
        ("NRR", built["cohorts_nrr"]),
        ("Logo retention", built["cohorts_logo"]),
    ):
        trace = _trace(desktop.page, "cohort-heatmap", name)
        shown = {
            (cohort, age): value
            for cohort, row in zip(trace["y"], trace["z"], strict=True)
            for age, value in zip(trace["x"], row, strict=True)
            if value is not None
        }
        expected = {(r["cohort"], r["age_months"]): r["value"] for r in document["cohorts"]}
        assert shown == expected


def test_segments_equal_metrics_by_segment_json(desktop: Opened, built: dict[str, Any]) -> None:
    rows = [r for r in built["segments"]["retention"] if r.get("scope") == "group"]
    panels = [t for t in _chart_data(desktop.page, "segments") if t["name"] in ("GRR", "NRR")]
    groups = {r["segment"] for r in rows}
    assert {t["meta"]["group"] for t in panels} == groups
    for trace in panels:
        mine = [r for r in rows if r["segment"] == trace["meta"]["group"]]
        field = trace["name"].lower()
        assert trace["x"] == [r["as_of"] for r in mine]
        assert trace["y"] == [r[field] for r in mine]


def test_concentration_equals_concentration_json(desktop: Opened, built: dict[str, Any]) -> None:
    document = built["concentration"]
    curve = _trace(desktop.page, "concentration", "Cumulative share of starting MRR")
    points = document["pareto"]
    assert curve["y"][-len(points) :] == [p["mrr_share"] for p in points]
    assert curve["x"][-len(points) :] == [p["customer_share"] for p in points]
    tops = _trace(desktop.page, "concentration", "Top customers")
    assert tops["y"] == [s["share_of_starting_mrr"] for s in document["shares"]]
    assert [c[1] for c in tops["customdata"]] == [s["mrr"] for s in document["shares"]]


def test_expansion_split_equals_decompose_json(desktop: Opened, built: dict[str, Any]) -> None:
    totals = built["decompose"]["totals"][0]
    traces = _chart_data(desktop.page, "expansion-split")
    assert len(traces) == 7
    for trace in traces:
        field = trace["meta"]["field"]
        assert Decimal(trace["customdata"][0][0]) == Decimal(totals[field]), field
    increases = sum(
        (Decimal(t["customdata"][0][0]) for t in traces if t["x"] == ["Increases"]), Decimal(0)
    )
    decreases = sum(
        (Decimal(t["customdata"][0][0]) for t in traces if t["x"] == ["Decreases"]), Decimal(0)
    )
    # §6: the components add up to the window's change of MRR, exactly.
    change = Decimal(totals["ending_mrr"]) - Decimal(totals["starting_mrr"])
    assert increases - decreases == change


def test_seasonality_equals_seasonality_json(desktop: Opened, built: dict[str, Any]) -> None:
    quarters = built["seasonality"]["quarter_of_year"]
    for name, field in (
        ("GRR", "grr_mean"),
        ("NRR", "nrr_mean"),
        ("Annual GRR", "annual_grr_mean"),
        ("Annual NRR", "annual_nrr_mean"),
    ):
        trace = _trace(desktop.page, "seasonality", name)
        assert trace["x"] == [q["quarter"] for q in quarters]
        assert trace["y"] == [q[field] for q in quarters]


def test_methods_equal_methods_json(desktop: Opened, built: dict[str, Any]) -> None:
    methods = built["methods"]["methods"]
    for name, field in (("GRR", "grr"), ("NRR", "nrr"), ("Logo retention", "logo_retention")):
        trace = _trace(desktop.page, "methods", name)
        assert trace["y"] == [m["method"] for m in methods]
        assert trace["x"] == [m[field] for m in methods]
