"""Tests of column-role detection, layouts, overrides and missing-column messages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from revenue_retention.canonical import ALIASES, load, map_columns, parse_column_options
from revenue_retention.errors import InputError, MissingColumnError, OptionError

LONG = ["customer_id", "month", "mrr"]
PERIODS = ["customer_id", "start_date", "end_date", "mrr"]


def write_csv(path: Path, *lines: str) -> Path:
    path.write_text("".join(f"{line}\n" for line in lines))
    return path


def header_with(role: str, column: str) -> list[str]:
    """A minimal valid header in which ``column`` is the candidate for ``role``."""
    if role in ("customer_id", "month", "mrr"):
        return [column if name == role else name for name in LONG]
    if role in ("start_date", "end_date"):
        return [column if name == role else name for name in PERIODS]
    if role == "invoice_date":  # an invoice date makes dated lines invoice lines
        return [*PERIODS, column]
    return [*LONG, column]


def spelled_by_a_person(alias: str) -> str:
    """``monthly_amount`` -> ``Monthly Amount``: title case, spaces instead of underscores."""
    return alias.replace("_", " ").title()


# --- aliases ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "column"),
    [
        ("customer_id", "Customer ID"),
        ("customer_id", "customer-id"),
        ("customer_id", "CUSTOMER.ID"),
        ("customer_id", "  customer id  "),
        ("customer_id", "CustomerID"),
        ("customer_id", "Account"),
        ("month", "Billing Month"),
        ("month", "PERIOD"),
        ("mrr", "MRR"),
        ("mrr", "Monthly Amount"),
        ("mrr", "monthly-recurring-revenue"),
        ("start_date", "Start Date"),
        ("end_date", "Cancelled At"),
        ("subscription_id", "Sub ID"),
        ("product", "SKU"),
        ("quantity", "Seats"),
        ("unit_price", "Unit Price"),
    ],
)
def test_aliases_ignore_case_spaces_and_punctuation(role: str, column: str) -> None:
    cmap = map_columns(header_with(role, column), "x.csv")
    # The role points at the header exactly as written, not at its normalised form.
    assert cmap.roles[role] == column
    assert column not in cmap.attributes


@pytest.mark.parametrize(
    ("role", "alias"), [(role, alias) for role, names in ALIASES.items() for alias in names]
)
def test_every_documented_alias_is_recognised(role: str, alias: str) -> None:
    column = spelled_by_a_person(alias)
    assert map_columns(header_with(role, column), "x.csv").get(role) == column


def test_the_first_alias_in_priority_order_wins_and_the_other_is_an_attribute() -> None:
    # customer_id comes before account_id in ALIASES["customer_id"].
    cmap = map_columns(["account_id", "customer_id", "month", "mrr"], "x.csv")
    assert cmap.roles["customer_id"] == "customer_id"
    assert cmap.attributes == ("account_id",)


# --- layouts ------------------------------------------------------------------------------


def test_customer_month_amount_is_the_long_layout() -> None:
    cmap = map_columns(["Customer ID", "Month", "MRR"], "x.csv")
    assert cmap.layout == "long"
    assert dict(cmap.roles) == {"customer_id": "Customer ID", "month": "Month", "mrr": "MRR"}
    assert cmap.attributes == ()


def test_a_start_date_makes_the_periods_layout() -> None:
    cmap = map_columns(["account", "started_at", "canceled_at", "amount", "plan"], "x.csv")
    assert cmap.layout == "periods"
    assert dict(cmap.roles) == {
        "customer_id": "account",
        "start_date": "started_at",
        "end_date": "canceled_at",
        "mrr": "amount",
    }
    assert cmap.attributes == ("plan",)


def test_a_long_layout_has_no_end_date_role_and_periods_no_month_role() -> None:
    long = map_columns(["customer_id", "month", "mrr", "end_date"], "x.csv")
    assert long.layout == "long"
    assert long.get("end_date") is None
    periods = map_columns(["customer_id", "month", "start_date", "end_date", "mrr"], "x.csv")
    assert periods.layout == "periods"
    assert periods.get("month") is None


# --- attributes and line items --------------------------------------------------------------


def test_attributes_are_the_non_role_columns_in_header_order() -> None:
    header = [
        "region",
        "customer_id",
        "month",
        "plan",
        "mrr",
        "subscription_id",
        "product",
        "quantity",
        "unit_price",
        "Sales Channel",
    ]
    cmap = map_columns(header, "x.csv")
    assert cmap.attributes == ("region", "plan", "Sales Channel")


def test_quantity_times_unit_price_stands_in_for_a_missing_mrr() -> None:
    cmap = map_columns(["customer_id", "month", "product", "qty", "price"], "x.csv")
    assert cmap.get("mrr") is None
    assert (cmap.get("quantity"), cmap.get("unit_price")) == ("qty", "price")
    assert cmap.attributes == ()


def test_quantity_without_unit_price_still_needs_mrr() -> None:
    with pytest.raises(MissingColumnError) as error:
        map_columns(["customer_id", "month", "quantity"], "x.csv")
    assert error.value.role == "mrr"


def test_load_uses_quantity_times_unit_price_when_mrr_is_absent(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "items.csv",
        "customer_id,month,product,quantity,unit_price,segment",
        "a,2024-01,seat,3,10.50,smb",  # 3 * 10.50 = 31.50
        "a,2024-01,support,1,5,smb",  # 1 * 5 = 5
        "b,2024-01,seat,0.5,0.000002,ent",  # 0.5 * 0.000002 = 0.000001 (6 places: exact)
    )
    data = load(path)
    rows = {r["customer_id"]: r for r in data.table.to_pyarrow().to_pylist()}
    # a: 31.50 + 5 = 36.50
    assert rows["a"]["mrr"] == Decimal("36.50")
    assert rows["b"]["mrr"] == Decimal("0.000001")
    assert rows["a"]["segment"] == "smb"
    assert data.attributes == ("segment",)
    # money read: 36.50 + 0.000001 = 36.500001
    assert data.report.money_read == Decimal("36.500001")
    items = data.line_items.order_by("line").to_pyarrow().to_pylist()
    assert [(r["product"], r["quantity"], r["unit_price"], r["mrr"]) for r in items] == [
        ("seat", Decimal(3), Decimal("10.50"), Decimal("31.50")),
        ("support", Decimal(1), Decimal(5), Decimal(5)),
        ("seat", Decimal("0.5"), Decimal("0.000002"), Decimal("0.000001")),
    ]
    assert [r["month"] for r in items] == [dt.date(2024, 1, 1)] * 3


# --- overrides ----------------------------------------------------------------------------


def test_parse_column_options_reads_role_equals_column() -> None:
    assert parse_column_options(["mrr=net amount", " customer_id = Acct No "]) == {
        "mrr": "net amount",
        "customer_id": "Acct No",
    }
    assert parse_column_options([]) == {}


@pytest.mark.parametrize("option", ["mrr", "mrr=", "mrr=   ", "=net", "revenue=net"])
def test_a_malformed_column_option_is_an_option_error(option: str) -> None:
    with pytest.raises(OptionError) as error:
        parse_column_options([option])
    assert error.value.option == "columns"
    assert error.value.value == option


def test_an_unknown_role_lists_the_roles() -> None:
    with pytest.raises(OptionError) as error:
        parse_column_options(["revenue=net"])
    assert "customer_id" in error.value.reason
    assert "mrr" in error.value.reason


def test_overrides_name_columns_no_alias_would_find() -> None:
    overrides = parse_column_options(["customer_id=who", "month=when", "mrr=how much"])
    cmap = map_columns(["who", "when", "how much", "tier"], "x.csv", overrides)
    assert dict(cmap.roles) == {"customer_id": "who", "month": "when", "mrr": "how much"}
    assert cmap.attributes == ("tier",)


def test_an_override_wins_over_an_alias_and_the_alias_becomes_an_attribute() -> None:
    cmap = map_columns(["customer_id", "month", "mrr", "net_mrr"], "x.csv", {"mrr": "net_mrr"})
    assert cmap.roles["mrr"] == "net_mrr"
    # "mrr" is the canonical table's own column, so the attribute is kept as attr_mrr.
    assert cmap.attributes == ("attr_mrr",)
    assert cmap.renamed == {"mrr": "attr_mrr"}


def test_an_override_is_matched_like_an_alias() -> None:
    cmap = map_columns(["customer_id", "month", "Net MRR"], "x.csv", {"mrr": "net_mrr"})
    assert cmap.roles["mrr"] == "Net MRR"


def test_an_override_naming_an_absent_column_is_a_missing_column_error() -> None:
    header = ["customer_id", "month", "mrr"]
    with pytest.raises(MissingColumnError) as error:
        map_columns(header, "x.csv", {"mrr": "gross"})
    assert error.value.role == "mrr"
    assert error.value.accepted == ("gross",)
    assert error.value.named == "gross"
    assert error.value.found == tuple(header)
    assert error.value.suggestion is None
    assert str(error.value) == (
        "x.csv: --column mrr=gross names no column of the file. Columns found: "
        "customer_id, month, mrr. Name one of them: --column mrr=COLUMN."
    )


def test_an_override_with_a_typo_is_refused_with_the_column_meant() -> None:
    header = ["Custmer ID", "Invoice Date", "Amount"]
    with pytest.raises(MissingColumnError) as error:
        map_columns(header, "x.csv", {"month": "Invoice_Dat", "customer_id": "Custmer ID"})
    assert error.value.suggestion == "Invoice Date"
    message = str(error.value)
    assert "Names accepted" not in message  # never echoed back as if it were accepted
    assert message == (
        "x.csv: --column month=Invoice_Dat names no column of the file. Did you mean "
        "'Invoice Date'? Columns found: Custmer ID, Invoice Date, Amount. Name one of them: "
        '--column month="Invoice Date".'
    )


@pytest.mark.parametrize(
    ("option", "meant"),
    [("mnth=Date", "month"), ("revenue=net", "mrr"), ("customer=who", "customer_id")],
)
def test_an_unknown_role_suggests_the_role_meant(option: str, meant: str) -> None:
    with pytest.raises(OptionError) as error:
        parse_column_options([option])
    assert f"names no role; did you mean {meant!r}? roles are customer_id, month" in str(
        error.value
    )


def test_load_applies_column_overrides(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "export.csv",
        "Acct,Invoice Month,Net,Gross",
        "a,2024-01,90,100",
        "a,2024-02,95,100",
    )
    data = load(path, columns={"customer_id": "Acct", "month": "Invoice Month", "mrr": "Net"})
    rows = data.table.order_by("month_index").to_pyarrow().to_pylist()
    assert [(r["customer_id"], r["mrr"]) for r in rows] == [("a", 90), ("a", 95)]
    assert data.attributes == ("Gross",)
    assert data.report.columns == {"customer_id": "Acct", "month": "Invoice Month", "mrr": "Net"}


def test_load_with_an_override_naming_an_absent_column(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "export.csv", "customer_id,month,mrr", "a,2024-01,10")
    with pytest.raises(MissingColumnError) as error:
        load(path, columns={"mrr": "net"})
    assert error.value.path == str(path)
    assert error.value.accepted == ("net",)


def test_load_with_an_override_for_an_unknown_role_is_an_option_error(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "export.csv", "customer_id,month,mrr,net", "a,2024-01,10,9")
    with pytest.raises(OptionError):
        load(path, columns={"revenue": "net"})


# --- missing required columns -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "role"),
    [
        (["month", "mrr"], "customer_id"),
        (["customer_id", "mrr"], "month"),
        (["customer_id", "month"], "mrr"),
        (["customer_id", "start_date", "end_date"], "mrr"),
    ],
)
def test_a_missing_required_column_is_named(header: list[str], role: str) -> None:
    with pytest.raises(MissingColumnError) as error:
        map_columns(header, "billing.csv")
    assert error.value.role == role
    assert error.value.found == tuple(header)
    assert error.value.accepted == ALIASES[role]


def test_the_missing_column_message_lists_found_and_accepted_names_and_the_option() -> None:
    with pytest.raises(MissingColumnError) as error:
        map_columns(["customer_id", "amount_due", "revenue"], "billing.csv")
    message = str(error.value)
    assert message.startswith("billing.csv: no column for 'month'.")
    assert "Columns found: customer_id, amount_due, revenue." in message
    # The first names, then how many: the list is long, the suggestion is what helps.
    assert f"Names accepted: {', '.join(ALIASES['month'][:8])}, ... (" in message
    assert f"({len(ALIASES['month'])} in all)." in message
    assert "--column month=COLUMN" in message
    assert isinstance(error.value, InputError)
    assert isinstance(error.value, ValueError)


def test_the_missing_column_message_suggests_a_close_name() -> None:
    with pytest.raises(MissingColumnError, match=r"Did you mean 'custmer_id'\?"):
        map_columns(["custmer_id", "month", "mrr"], "billing.csv")


def test_load_reports_a_missing_column_with_the_file(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "billing.csv", "payer,month,mrr", "a,2024-01,10")
    with pytest.raises(MissingColumnError) as error:
        load(path)
    assert error.value.path == str(path)
    assert error.value.role == "customer_id"
    assert error.value.found == ("payer", "month", "mrr")
    assert "--column customer_id=COLUMN" in str(error.value)


def test_a_month_column_wins_over_start_and_end_dates_beside_it() -> None:
    # A monthly table with a signup date is still a monthly table: the dates are attributes.
    cmap = map_columns(["customer_id", "month", "mrr", "signup_date", "start_date"], "x.csv")
    assert cmap.layout == "long"
    assert "start_date" not in cmap.roles
    assert cmap.attributes == ("signup_date", "attr_start_date")


def test_attributes_named_like_result_columns_are_renamed() -> None:
    cmap = map_columns(["customer_id", "month", "mrr", "churn", "method", "a"], "x.csv")
    assert cmap.attributes == ("attr_churn", "attr_method", "attr_a")


# --- headers of real exports --------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "layout", "roles"),
    [
        # Xero's invoice CSV: camelCase names, a line amount.
        (
            ["ContactName", "InvoiceNumber", "InvoiceDate", "DueDate", "LineAmount", "Currency"],
            "long",
            {
                "customer_id": "ContactName",
                "month": "InvoiceDate",
                "mrr": "LineAmount",
                "currency": "Currency",
            },
        ),
        # A QuickBooks sales report.
        (
            ["Transaction Date", "Transaction Type", "Num", "Customer", "Amount"],
            "long",
            {"customer_id": "Customer", "month": "Transaction Date", "mrr": "Amount"},
        ),
        # An invoice export without service periods: the invoice date is the month.
        (
            ["Invoice Number", "Customer Name", "Invoice Date", "Amount (USD)"],
            "long",
            {"customer_id": "Customer Name", "month": "Invoice Date", "mrr": "Amount (USD)"},
        ),
        # Zuora's invoice items: service periods beside the invoice date.
        (
            [
                "Account Number",
                "Invoice Date",
                "Service Start Date",
                "Service End Date",
                "Amount Without Tax",
            ],
            "invoices",
            {
                "customer_id": "Account Number",
                "invoice_date": "Invoice Date",
                "start_date": "Service Start Date",
                "end_date": "Service End Date",
                "mrr": "Amount Without Tax",
            },
        ),
        # Chargebee's line items: Date From / Date To.
        (
            ["Invoice Number", "Customer Id", "Line Item Date From", "Line Item Date To", "Amount"],
            "invoices",
            {
                "customer_id": "Customer Id",
                "start_date": "Line Item Date From",
                "end_date": "Line Item Date To",
                "mrr": "Amount",
            },
        ),
        # Billing periods of an invoice line.
        (
            ["Account ID", "Billing Period Start", "Billing Period End", "Net Amount"],
            "invoices",
            {
                "customer_id": "Account ID",
                "start_date": "Billing Period Start",
                "end_date": "Billing Period End",
                "mrr": "Net Amount",
            },
        ),
        # Chargebee's subscriptions: activated, cancelled, MRR.
        (
            ["Subscription Id", "Customer Id", "Activated At", "Canceled On", "MRR"],
            "periods",
            {
                "customer_id": "Customer Id",
                "subscription_id": "Subscription Id",
                "start_date": "Activated At",
                "end_date": "Canceled On",
                "mrr": "MRR",
            },
        ),
        # Recurly's subscriptions: quantity x unit amount.
        (
            ["account_code", "plan_code", "activated_at", "expires_at", "quantity", "unit_amount"],
            "periods",
            {
                "customer_id": "account_code",
                "product": "plan_code",
                "start_date": "activated_at",
                "end_date": "expires_at",
                "quantity": "quantity",
                "unit_price": "unit_amount",
            },
        ),
        # A Salesforce report: the amount and its currency in columns of their own.
        (
            ["Account Name", "Date", "Amount Currency", "Amount"],
            "long",
            {
                "customer_id": "Account Name",
                "month": "Date",
                "mrr": "Amount",
                "currency": "Amount Currency",
            },
        ),
    ],
)
def test_headers_of_real_exports_map_without_help(
    header: list[str], layout: str, roles: dict[str, str]
) -> None:
    cmap = map_columns(header, "export.csv")
    assert cmap.layout == layout
    assert dict(cmap.roles) == roles


@pytest.mark.parametrize(
    "name", ["Amount (USD)", "Amount ($)", "MRR in EUR", "amount_gbp", "MRR (€)"]
)
def test_an_amount_beside_its_currency_is_the_amount(name: str) -> None:
    assert map_columns(["Customer ID", "Month", name], "x.csv").roles["mrr"] == name


def test_a_misspelt_required_column_is_suggested() -> None:
    header = ["Custmer ID", "Invoice Date", "Amount"]
    with pytest.raises(MissingColumnError) as error:
        map_columns(header, "x.csv")
    assert error.value.role == "customer_id"
    assert error.value.suggestion == "Custmer ID"
    message = str(error.value)
    assert "Did you mean 'Custmer ID'?" in message
    assert message.endswith('Name it explicitly with --column customer_id="Custmer ID".')


def test_a_column_with_another_role_is_not_suggested() -> None:
    # "Month" is the month: it is not offered as the missing amount, though it is near "mrr".
    with pytest.raises(MissingColumnError) as error:
        map_columns(["customer_id", "month", "monthly amt"], "x.csv")
    assert error.value.role == "mrr"
    assert error.value.suggestion == "monthly amt"
    with pytest.raises(MissingColumnError) as error:
        map_columns(["customer_id", "month", "notes"], "x.csv")
    assert error.value.suggestion is None


def test_load_reads_an_invoice_export_by_its_invoice_date(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "invoices.csv",
        "Invoice Number,Customer Name,Invoice Date,Amount",
        "INV-1,Acme,2024-01-05,100.00",
        "INV-2,Acme,2024-02-05,120.00",
        "INV-3,Globex,2024-01-20,50.00",
    )
    data = load(path)
    assert data.report.columns == {
        "customer_id": "Customer Name",
        "month": "Invoice Date",
        "mrr": "Amount",
    }
    rows = data.table.order_by(["customer_id", "month_index"]).to_pyarrow().to_pylist()
    assert [(r["customer_id"], r["period"], r["mrr"]) for r in rows] == [
        ("Acme", dt.date(2024, 1, 1), Decimal("100")),
        ("Acme", dt.date(2024, 2, 1), Decimal("120")),
        ("Globex", dt.date(2024, 1, 1), Decimal("50")),
    ]
