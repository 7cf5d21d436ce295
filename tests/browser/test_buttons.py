"""Secondary buttons (Cancel, Import a file, the exports) read as buttons one can press:
dark text and a firm border, not Bootstrap's grey outline that looked disabled."""

import pytest

pytestmark = pytest.mark.browser

# WCAG's relative luminance and contrast ratio, computed in the page from computed styles.
CONTRAST = """(el) => {
  const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = (c) => {
    const [r, g, b] = rgb(c).map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => {
    const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  const style = getComputedStyle(el);
  const page = "rgb(255, 255, 255)";
  const bg = style.backgroundColor.startsWith("rgba(0, 0, 0, 0)") ? page : style.backgroundColor;
  return {
    text: ratio(style.color, bg), border: ratio(style.borderTopColor, page), opacity: Number(style.opacity),
  };
}"""


@pytest.mark.parametrize(("user", "path", "selector"), [
    ("officer.thanhxuan", "/unions/", "a.btn-outline-secondary[href*='import']"),
    ("officer.thanhxuan", "/members/new/", "main form a.btn-outline-secondary"),
    ("city.staff", "/rankings/?year=2024", "a.btn-outline-secondary[download]"),
])
def test_secondary_buttons_do_not_look_disabled(browse, user, path, selector):
    tab = browse(user)
    tab.goto(path)
    button = tab.page.locator(selector).first
    looks = button.evaluate(CONTRAST)
    # Bootstrap's grey (#6c757d) gave 4,7:1 text and a light border: it read as disabled.
    assert looks["text"] >= 12 and looks["border"] >= 7 and looks["opacity"] == 1, looks
    assert tab.errors == []
