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
    "mrr-movements",
    "bridge-month",
    "bridge-ttm",
    "retention-trend",
    "cohort-heatmap",
    "cohort-groups",
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


def test_customer_search_filters_and_opens_the_timeline(
    desktop: Opened, built: dict[str, Any]
) -> None:
    page = desktop.page
    rows = "#customer-table tbody tr"
    assert page.locator(rows).count() == 50  # 2,000 customers, 50 shown at once
    page.fill("#customer-query", "C0132")
    found = page.eval_on_selector_all(rows, "rs => rs.map(r => r.cells[0].textContent)")
    assert found and all("C0132" in name for name in found)
    assert page.text_content("#customer-count").startswith(f"{len(found)} customer")
    page.fill("#customer-query", "no such customer")
    assert page.locator(rows).count() == 0
    page.fill("#customer-query", "C01326")
    page.click(f"{rows} >> nth=0")
    shown = page.eval_on_selector_all(
        "#customer-months tbody tr", "rs => rs.map(r => [...r.cells].map(c => c.textContent))"
    )
    story = json.loads(_run("explain", built["csv"], "--customer", "C01326", "-f", "json"))
    expected = [
        [
            m["period"],
            f"{Decimal(m['mrr']):,.2f}",
            "" if m["movement"] == "none" else m["movement"],
            "" if m["movement"] == "none" else f"{Decimal(m['amount']):,.2f}",
        ]
        for m in story["months"]
    ]
    assert shown == expected
    assert page.text_content("#customer-timeline-title") == f"C01326: {len(expected)} months"


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
            # Nothing clipped: no element but a sideways-scrolling box is wider than what
            # holds it (a chart too wide to squeeze scrolls inside its own box).
            clipped = opened.page.evaluate(
                """() => [...document.querySelectorAll('main *')]
                    .filter(e => !e.closest('.scroll') && !e.closest('svg')
                                 && !e.classList.contains('visually-hidden')
                                 && e.scrollWidth > e.clientWidth + 1
                                 && getComputedStyle(e).overflowX !== 'auto')
                    .map(e => e.tagName + '#' + e.id + '.' + e.className)"""
            )
            assert clipped == [], (width, clipped)
            opened.page.screenshot(path=str(OUTPUT / name), full_page=True)
            assert (OUTPUT / name).stat().st_size > 50_000
            assert opened.errors == []
        finally:
            opened.page.context.close()


# ---- every chart's data, read from the page, against the JSON of the matching command ----


def test_bridge_waterfalls_equal_metrics_json(desktop: Opened, built: dict[str, Any]) -> None:
    bridge = built["metrics"]["bridge"]
    moves = ("new", "reactivation", "expansion", "contraction", "churn")
    negative = {"contraction", "churn"}

    def signed(field: str, amount: Decimal) -> Decimal:
        return -amount if field in negative else amount

    month = _trace(desktop.page, "bridge-month", "MRR bridge")
    last = bridge[-1]
    opening, closing = Decimal(last["opening_mrr"]), Decimal(last["closing_mrr"])
    expected = [(signed(f, Decimal(last[f])), f) for f in moves]
    expected.append((closing - opening, "net_change"))
    assert [(Decimal(a), f) for a, f in month["customdata"]] == expected
    assert month["base"] == float(opening)
    assert (month["meta"]["opening_mrr"], month["meta"]["closing_mrr"]) == (
        last["opening_mrr"],
        last["closing_mrr"],
    )

    # Trailing twelve months: the first month's opening, each movement summed, the last
    # month's closing, all exact.
    ttm = _trace(desktop.page, "bridge-ttm", "MRR bridge")
    rows = bridge[-12:]
    sums = {f: sum((Decimal(r[f]) for r in rows), Decimal(0)) for f in moves}
    opening, closing = Decimal(rows[0]["opening_mrr"]), Decimal(rows[-1]["closing_mrr"])
    expected = [(signed(f, sums[f]), f) for f in moves]
    expected.append((closing - opening, "net_change"))
    assert [(Decimal(a), f) for a, f in ttm["customdata"]] == expected
    assert opening + sum(a for a, _ in expected[:-1]) == closing  # the bridge identity


def _boxes(page: Page, selector: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = page.eval_on_selector_all(
        selector,
        """nodes => nodes.map(n => {
            const r = n.getBoundingClientRect();
            return {text: n.textContent, x: r.x, y: r.y, width: r.width, height: r.height};
        })""",
    )
    return found


def _inside(inner: dict[str, Any], outer: dict[str, Any]) -> bool:
    return (
        inner["x"] >= outer["x"] - 0.5
        and inner["y"] >= outer["y"] - 0.5
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 0.5
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 0.5
    )


def _apart(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def test_waterfall_values_are_visible(desktop: Opened, built: dict[str, Any]) -> None:
    """Every movement bar of the one-month bridge shows its signed amount, readable: inside
    the chart, apart from the others, and the bars tall enough to see."""
    page = desktop.page
    page.locator("#bridge-month").scroll_into_view_if_needed()
    last = built["metrics"]["bridge"][-1]
    shown = _boxes(page, "#bridge-month text.bartext")
    opening, closing = Decimal(last["opening_mrr"]), Decimal(last["closing_mrr"])

    def text(amount: Decimal) -> str:
        plain = f"{abs(amount):,.2f}"
        return f"+{plain}" if amount > 0 else f"\u2212{plain}" if amount < 0 else plain

    expected = [text(Decimal(last[f])) for f in ("new", "reactivation", "expansion")]
    expected += [text(-Decimal(last[f])) for f in ("contraction", "churn")]
    expected.append(text(closing - opening))
    assert [t["text"] for t in shown] == expected
    chart = _boxes(page, "#bridge-month svg.main-svg")[0]
    for label in shown:
        assert label["width"] > 20 and label["height"] > 8, label
        assert _inside(label, chart), label
    for i, a in enumerate(shown):
        for b in shown[i + 1 :]:
            assert _apart(a, b), (a, b)
    # Opening and closing MRR are written at their levels.
    levels = [t["text"] for t in _boxes(page, "#bridge-month g.textpoint text")]
    assert levels == [f"{opening:,.2f}", f"{closing:,.2f}"]
    # The smallest non-zero movement is a visible bar, not a sliver: the axis is zoomed.
    bars = _boxes(page, "#bridge-month g.point path")
    heights = [b["height"] for b in bars if b["height"] > 0]
    assert min(heights) >= 3, heights
    assert max(heights) > 100, heights


def test_first_screen_at_1280_by_800(browser: Browser, built: dict[str, Any]) -> None:
    """Without scrolling: the answer, the three cards with their sparklines, and the MRR
    movements chart, whole; the analyst appendix starts below."""
    opened = _open(browser, built["html"], 1280, 800)
    try:
        page = opened.page
        screen = {"x": 0, "y": 0, "width": 1280, "height": 800}
        for selector in (
            "#answer .lede",
            "#headline-grr",
            "#headline-nrr",
            "#headline-logo_retention",
            "svg.spark[data-metric='grr']",
            "svg.spark[data-metric='nrr']",
            "svg.spark[data-metric='logo_retention']",
            "#mrr-movements",
        ):
            boxes = _boxes(page, selector)
            assert len(boxes) == 1, selector
            assert boxes[0]["height"] > 20 and _inside(boxes[0], screen), (selector, boxes)
        assert _boxes(page, "#appendix")[0]["y"] > 800
        # Each sparkline is the last twelve 12-month rates of the JSON, drawn as a line.
        rows = [r for r in built["metrics"]["retention"] if r["window_months"] == 12][-12:]
        for metric in ("grr", "nrr", "logo_retention"):
            spark = page.locator(f"svg.spark[data-metric='{metric}']")
            assert json.loads(spark.get_attribute("data-values") or "") == [r[metric] for r in rows]
            assert json.loads(spark.get_attribute("data-months") or "") == [
                r["as_of"] for r in rows
            ]
            path = spark.locator("path").get_attribute("d") or ""
            assert path.count("L") == 11
        # The MRR movements chart: MRR and each movement of the last 24 bridge months.
        bridge = built["metrics"]["bridge"][-24:]
        line = _trace(page, "mrr-movements", "MRR")
        assert line["x"] == [r["period"] for r in bridge]
        assert [c[0] for c in line["customdata"]] == [r["closing_mrr"] for r in bridge]
        for name, field, sign in (
            ("New", "new", 1),
            ("Expansion", "expansion", 1),
            ("Reactivation", "reactivation", 1),
            ("Contraction", "contraction", -1),
            ("Churn", "churn", -1),
        ):
            trace = _trace(page, "mrr-movements", name)
            amounts = [Decimal(r[field]) * sign for r in bridge]
            assert [Decimal(c[0]) for c in trace["customdata"]] == amounts, name
            assert trace["type"] == "bar"
        drawn = page.eval_on_selector_all("#mrr-movements g.point path", "paths => paths.length")
        assert drawn >= 24 * 3
        assert opened.errors == []
    finally:
        opened.page.context.close()


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
        # The cohorts large enough and the greyed-out ones, together: every cell once.
        shown: dict[tuple[str, int], float] = {}
        for trace_name in (name, f"{name}, cohorts under 10 customers"):
            trace = _trace(desktop.page, "cohort-heatmap", trace_name)
            for cohort, row in zip(trace["y"], trace["z"], strict=True):
                for age, value in zip(trace["x"], row, strict=True):
                    if value is not None:
                        assert (cohort, age) not in shown
                        shown[(cohort, age)] = value
        expected = {(r["cohort"], r["age_months"]): r["value"] for r in document["cohorts"]}
        assert shown == expected


def test_cohort_heatmap_is_clamped_and_numbered(desktop: Opened, built: dict[str, Any]) -> None:
    page = desktop.page
    page.locator("#cohort-heatmap").scroll_into_view_if_needed()
    scales = page.evaluate(
        """() => document.getElementById('cohort-heatmap')._fullData
            .map(d => [d.name, d.zmin, d.zmax, d.visible])"""
    )
    assert ["NRR", 0.5, 1.5, True] in scales
    # A number in every visible cell, the cell's own value to the percent.
    labels = [t["text"] for t in _boxes(page, "#cohort-heatmap .heatmap-label text")]
    values = [r["value"] for r in built["cohorts_nrr"]["cohorts"]]
    assert len(labels) == len(values)
    assert sorted(labels) == sorted(f"{round(v * 100)}%" for v in values)
    # Each cohort's size beside its label, as the JSON has it.
    ticks = [t["text"] for t in _boxes(page, "#cohort-heatmap g.ytick text")]
    sizes = built["cohorts_nrr"]["cohort_sizes"]
    assert ticks == [f"{s['cohort']} \u00b7 {s['customers']:,}" for s in sizes]


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
    # Every bar is labelled with its rate, on the page.
    desktop.page.locator("#methods").scroll_into_view_if_needed()
    labels = [t["text"] for t in _boxes(desktop.page, "#methods text.bartext")]
    rates = [m[f] for f in ("grr", "nrr", "logo_retention") for m in methods]
    # A method without a figure says so ("n/a") where its bar would be.
    assert sorted(labels) == sorted("n/a" if r is None else f"{r:.1%}" for r in rates)
