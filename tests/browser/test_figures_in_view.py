"""Every figure in view: the tables on a 375 px phone, and the charts' labels and toolbar.

On a phone the rankings and the furthest behind are cards: no figure may lie beyond the
screen's edge or spill out of its cell. A chart's toolbar never covers its legend, a phone
gets none, and the figures beside the bars are whole and large enough to read.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.browser

# Each shown cell of a table's rows: its box, the box of what it holds, and whether it spills.
CELLS = """(selector) => Array.from(document.querySelectorAll(selector + ' > tbody > tr > *'))
  .filter((cell) => getComputedStyle(cell).display !== 'none')
  .map((cell) => {
    const box = cell.getBoundingClientRect();
    const inner = Array.from(cell.querySelectorAll('span, strong, a'))
      .map((node) => node.getBoundingClientRect());
    return {
      text: cell.innerText.trim().replace(/\\s+/g, ' '),
      left: box.left, right: box.right, width: box.width,
      inner_right: Math.max(box.right, ...inner.map((r) => r.right)),
      spills: cell.scrollWidth > cell.clientWidth + 1,
    };
  })"""

CHART = """(id) => {
  const chart = document.getElementById(id);
  const frame = chart.getBoundingClientRect();
  const box = (node) => { if (!node) { return null; } const r = node.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
  const toolbar = chart.querySelector('.modebar-container');
  return {
    frame: box(chart),
    legend: box(chart.querySelector('.legend')),
    toolbar: toolbar && toolbar.querySelector('.modebar') ? box(toolbar.querySelector('.modebar')) : null,
    labels: Array.from(chart.querySelectorAll('.barlayer text.bartext')).map((node) => ({
      text: node.textContent, size: parseFloat(getComputedStyle(node).fontSize), ...box(node),
    })),
    svg_right: frame.left + chart.querySelector('.main-svg').getBoundingClientRect().width,
  };
}"""


def intersects(a: dict, b: dict) -> bool:
    across = a["left"] < b["right"] and b["left"] < a["right"]
    down = a["top"] < b["bottom"] and b["top"] < a["bottom"]
    return across and down


@pytest.mark.parametrize(
    ("path", "table", "rows"),
    [("/overview/?year=2024", "table.behind-table", 5), ("/rankings/?year=2024", "table.ranking-table", 45)],
    ids=["furthest-behind", "rankings"],
)
def test_every_figure_in_view_on_a_phone(browse, path, table, rows):
    tab = browse("city.staff", viewport=PHONE)
    tab.goto(path)
    assert tab.page.locator(f"{table} > tbody > tr").count() == rows
    cells = tab.page.evaluate(CELLS, table)
    assert len(cells) >= rows * 5  # name, both figures, score and rank (or change)
    for cell in cells:
        where = f"{path}: {cell['text']!r}"
        assert cell["width"] > 0, where
        assert cell["left"] >= 0 and cell["right"] <= PHONE["width"], where
        assert cell["inner_right"] <= cell["right"] + 1 and not cell["spills"], where
    # the figures themselves: both counts and the percentage of every federation are there
    figures = [cell["text"] for cell in cells if " — " in cell["text"]]
    assert len(figures) == 2 * rows
    assert tab.errors == []


def test_chart_toolbar_legend_and_bar_figures(browse):
    # A desktop: the toolbar sits apart from the legend; every bar's figure whole, inside the chart.
    tab = browse("city.staff", viewport=DESKTOP)
    tab.goto("/overview/?year=2024")
    for chart_id in ("chart-new_members", "chart-new_unions"):
        chart = tab.page.evaluate(CHART, chart_id)
        assert chart["toolbar"] and chart["legend"], chart_id
        assert not intersects(chart["toolbar"], chart["legend"]), chart_id
        assert len(chart["labels"]) == 45, chart_id
        for label in chart["labels"]:
            assert label["right"] <= chart["svg_right"], (chart_id, label["text"])

    # A phone: no toolbar to cover anything, and figures a size up from the axis labels.
    phone = browse("city.staff", viewport=PHONE)
    phone.goto("/overview/?year=2024")
    chart = phone.page.evaluate(CHART, "chart-new_members")
    assert chart["toolbar"] is None
    assert len(chart["labels"]) == 45
    for label in chart["labels"]:
        assert label["size"] >= 12, label
        assert label["left"] >= 0 and label["right"] <= min(chart["svg_right"], PHONE["width"]), label
    assert tab.errors == [] and phone.errors == []
