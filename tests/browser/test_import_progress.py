"""A district officer imports a large file in a real browser: a progress bar shows how far the
check is while the page waits, then the preview comes."""

import re

import pytest

from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser

OFFICER = "officer.thanhxuan"
ROWS = 50_000  # checked at some 10.000 rows a second: long enough to be watched
HEADER = "card_no,full_name,gender,birth_date,union,admitted_on,status,left_on"
def large_file(tmp_path, union_code: str):
    path = tmp_path / "members.csv"
    lines = [HEADER] + [
        f"PRG-{n:05d},Phạm Thị Tiến Độ {n},female,1991-02-03,{union_code},2024-03-01,active,"
        for n in range(1, ROWS + 1)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_a_large_file_shows_a_progress_bar_while_it_is_checked(browse, tmp_path, viewport):
    tab = browse(OFFICER, **({"viewport": viewport} if viewport else {}))
    tab.goto("/unions/?status=active")
    code = tab.page.locator("table tbody tr").first.locator("td").first.inner_text().strip()
    path = large_file(tmp_path, code)
    tab.goto("/import/")
    form = tab.page.locator("form[data-progress-url]")
    box = form.locator(".import-progress")
    assert box.is_hidden()  # nothing to show before the file is sent
    form.locator("input[name=kind][value=members]").check()
    form.locator("input[name=file]").set_input_files(str(path))
    answers: list[dict] = []  # what the page's polls were told, in order

    def record(route):
        response = route.fetch()
        answers.append(response.json())
        route.fulfill(response=response)

    tab.page.route("**/import/progress/*/", record)
    with tab.page.expect_navigation(timeout=300_000):
        form.locator("button[type=submit]").click(no_wait_after=True)
        assert box.is_visible()  # the bar shows as soon as the file is sent
    # while the server checked the rows, the page they were sent from was told how far it was
    checking = [answer for answer in answers if answer["stage"] == "checking" and answer["done"] > 0]
    assert checking, answers
    assert all(answer["total"] == ROWS for answer in checking)
    assert [answer["done"] for answer in checking] == sorted(answer["done"] for answer in checking)
    assert re.fullmatch(r"Đang kiểm tra: dòng [\d.]+ trên khoảng 50\.000", checking[0]["text"])
    # then the preview, which writes nothing and offers the confirmation with its own bar
    assert tab.page.locator('form[action="/import/confirm/"] input[name=token]').count() == 1
    assert tab.page.locator('form[action="/import/confirm/"] .import-progress').is_hidden()
    assert tab.errors == []
