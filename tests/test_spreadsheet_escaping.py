"""No export hands a spreadsheet a live formula, even one hidden behind a separator.

A spreadsheet runs a cell starting with = + - @ (or a tab or carriage return) as a formula,
and may split a cell on `,` `;` tab or `|` when it reads text; so every part it could split
out must be inert too. The check below is written independently of the escaping code.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from branches.models import FederationKind
from targets.models import Metric
from tests.factories import FederationFactory, QuotaFactory
from unionboard.spreadsheets import escape_cell

SEPARATORS = [",", ";", "\t", "|"]
STARTERS = ["=", "+", "-", "@", "\t", "\r"]


def live_formulas(text: str) -> list[str]:
    """The parts of a cell a spreadsheet would run: the cell itself, or any part split out."""
    parts = [text, *re.split(r"[,;\t|\r\n]", text)]
    return [
        part for part in parts
        if part.startswith(("=", "+", "-", "@", "\t", "\r"))
        or part.lstrip(" ").startswith(("=", "+", "-", "@"))
    ]


def dangerous_names(separator: str, starter: str) -> list[str]:
    return [
        f"{starter}1+1",  # at the start
        f"Công đoàn A{separator}{starter}1+1",  # behind a separator
        f"Công đoàn A{separator} {starter}1+1",  # behind a separator and a space
        f"{separator}{starter}SUM(1){separator}x",
    ]


@pytest.mark.parametrize("separator", SEPARATORS, ids=repr)
@pytest.mark.parametrize("starter", STARTERS, ids=repr)
def test_escape_cell_leaves_no_part_live(separator, starter):
    for name in dangerous_names(separator, starter):
        escaped = escape_cell(name)
        assert live_formulas(escaped) == [], (name, escaped)
        assert escaped.replace("'", "") == name  # only apostrophes were added


@pytest.mark.parametrize("value", [
    "LĐLĐ quận Ba Đình", "Công ty A - chi nhánh B", "CĐCS 2024-03-01", 4550, 70.0, None, "",
])
def test_safe_values_are_left_alone(value):
    assert escape_cell(value) == value


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("separator", SEPARATORS, ids=repr)
@pytest.mark.parametrize("starter", STARTERS, ids=repr)
def test_rankings_exports_carry_no_live_formula(client_for, city_staff, fmt, separator, starter):
    names = dangerous_names(separator, starter)
    for number, name in enumerate(names):
        federation = FederationFactory(code=f"fed-x{number}", name=name, kind=FederationKind.TOWN)
        QuotaFactory(federation=federation, year=2024, metric=Metric.NEW_MEMBERS, target=10)
    response = client_for(city_staff).get(
        reverse("rankings_export", args=[fmt]), {"year": 2024, "kind": FederationKind.TOWN}
    )
    assert response.status_code == 200
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode(), newline="")))
        cells = [row[2] for row in rows[1:]]
    else:
        sheet = load_workbook(io.BytesIO(response.content)).active
        header = next(n for n, row in enumerate(sheet.iter_rows(values_only=True), 1) if row[0] == "rank")
        cells = []
        for row in sheet.iter_rows(min_row=header + 1):
            assert row[2].data_type != "f"  # stored as text, never as a formula
            cells.append(row[2].value)
    assert len(cells) == len(names)
    for cell in cells:
        assert live_formulas(cell) == [], cell
    if fmt == "xlsx":  # XML reads every line end as LF
        names = [name.replace("\r", "\n") for name in names]
    assert sorted(cell.replace("'", "") for cell in cells) == sorted(names)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["members", "unions"])
def test_import_templates_carry_no_live_formula(client_for, officer_a, kind):
    client = client_for(officer_a)
    rows = list(csv.reader(io.StringIO(
        client.get(reverse("imports:template", args=[kind, "csv"])).content.decode("utf-8-sig")
    )))
    assert all(live_formulas(cell) == [] for row in rows for cell in row)
