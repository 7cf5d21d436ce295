"""The dashboards on paper: Chromium prints each to PDF, poppler reads the PDF back.

A4 landscape; the rankings one line per federation; the overview without a word printed
over another; a federation's page with every one of its grassroots unions.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        shutil.which("pdftotext") is None, reason="pdftotext is missing: apt-get install -y poppler-utils"
    ),
]

WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')
PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')
A4_POINTS = (841.9, 595.3)  # landscape


@dataclass
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    def covers(self, other: Word, share: float = 0.3) -> bool:
        """Whether the two words' boxes overlap by more than `share` of the smaller one."""
        width = min(self.x1, other.x1) - max(self.x0, other.x0)
        height = min(self.y1, other.y1) - max(self.y0, other.y0)
        if width <= 0 or height <= 0:
            return False
        return width * height > share * min(self.area, other.area)

    @property
    def area(self) -> float:
        return (self.x1 - self.x0) * (self.y1 - self.y0)


@dataclass
class Printout:
    sizes: list[tuple[float, float]]
    words: list[list[Word]]  # per page
    text: list[str]  # per page, laid out as printed


def pdftotext(option: str, pdf: Path) -> str:
    result = subprocess.run(["pdftotext", option, str(pdf), "-"], capture_output=True, text=True, check=True)
    return result.stdout


def print_to_pdf(tab, path: str, tmp_path: Path) -> Printout:
    """Open a page, print it as a person would (A4 from the page's own style) and read it back."""
    tab.goto(path)
    if tab.page.locator(".chart").count():
        tab.page.wait_for_selector('.chart[data-drawn]')
    pdf = tmp_path / "page.pdf"
    tab.page.pdf(path=pdf, prefer_css_page_size=True)
    boxes = pdftotext("-bbox", pdf)
    pages = boxes.split("<page ")[1:]
    sizes = [tuple(map(float, PAGE.match("<page " + page).groups())) for page in pages]
    words = [[Word(html.unescape(m[5]), *map(float, m.groups()[:4])) for m in WORD.finditer(page)]
             for page in pages]
    layout = pdftotext("-layout", pdf)
    return Printout(sizes, words, layout.split("\f")[: len(pages)])


def assert_a4_landscape(printout: Printout) -> None:
    for width, height in printout.sizes:
        assert (round(width, 1), round(height, 1)) == pytest.approx(A4_POINTS, abs=1), (width, height)


def test_rankings_print_one_line_per_federation(browse, tmp_path):
    tab = browse("city.staff")
    printout = print_to_pdf(tab, "/rankings/?year=2024", tmp_path)
    assert_a4_landscape(printout)
    assert len(printout.sizes) == 2  # 45 federations and the headings
    lines = [line for page in printout.text for line in page.splitlines()]
    rows = tab.page.locator("table.ranking-table tbody tr")
    assert rows.count() == 45
    for row in rows.all():
        name = row.locator("td").nth(1).inner_text().strip()
        members = row.locator("td").nth(3).inner_text().split(" — ")[0].strip()  # "504/340"
        score = row.locator("td").nth(5).inner_text().strip()
        # the name, the members' figures and the score on one printed line
        printed = [line for line in lines if f" {name} " in f" {line} "]
        assert len(printed) == 1, (name, printed)
        assert members in printed[0] and score in printed[0], (name, printed[0])
    assert "Tải về" not in "".join(printout.text)  # the export buttons stay on the screen
    assert tab.errors == []


def test_overview_prints_without_a_word_over_another(browse, tmp_path):
    tab = browse("city.staff")
    printout = print_to_pdf(tab, "/overview/?year=2024", tmp_path)
    assert_a4_landscape(printout)
    text = "".join(printout.text)
    # everything is there: the figures, both charts with their tables, the furthest behind
    for expected in ("32.503 / 36.770", "Kết nạp đoàn viên mới", "Thành lập công đoàn cơ sở mới",
                     "Chậm nhất", "Công đoàn Viên chức thành phố Hà Nội"):
        assert expected in text, expected
    overlaps = [
        (number, a.text, b.text)
        for number, words in enumerate(printout.words, start=1)
        for i, a in enumerate(words) for b in words[i + 1:] if a.covers(b)
    ]
    assert overlaps == []
    assert tab.errors == []


def test_federation_page_prints_every_union(browse, tmp_path):
    tab = browse("officer.thanhxuan")
    # On the screen the unions come 20 to a page: the last page holds the last in name order.
    tab.goto("/federations/thanh-xuan/?year=2024")
    pages = tab.page.locator("main nav .pagination .page-link").all_inner_texts()
    last_page = max(int(text) for text in pages if text.strip().isdigit())
    tab.goto(f"/federations/thanh-xuan/?year=2024&u-page={last_page}")
    screen_table = tab.page.locator("section[aria-labelledby=unions-title] .d-print-none table")
    names = screen_table.locator("tbody tr td:nth-child(2)").all_inner_texts()
    total = 20 * (last_page - 1) + len(names)
    assert total > 200

    printout = print_to_pdf(tab, "/federations/thanh-xuan/?year=2024", tmp_path)
    assert_a4_landscape(printout)
    text = "".join(printout.text)
    assert names[-1].strip() in text
    assert len(re.findall(r"\bthanh-xuan-\d+\b", text)) == total  # each union once, by its code
    assert "Trang sau" not in text  # no pagination on paper
    assert tab.errors == []
