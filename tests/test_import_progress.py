"""Long work shows how far it is: the browser import's progress reports and their status
endpoint, and the commands' progress (a bar on a terminal, plain lines otherwise)."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from imports import progress, service, storage
from members.models import Member
from tests.factories import UnionFactory
from unionboard.console import Progress

D = datetime.date
HEADER = "card_no,full_name,gender,birth_date,union,admitted_on,status,left_on"
TOKEN = "P" * 32


@pytest.fixture(autouse=True)
def own_folder(settings, tmp_path):
    settings.IMPORT_TEMP_DIR = str(tmp_path / "pending")


@pytest.fixture
def union_a(fed_a):
    return UnionFactory(code="a-xuan", federation=fed_a, founded_on=D(2015, 1, 1))


def members_csv(rows: int, union: str = "a-xuan", bad_row: int | None = None) -> bytes:
    lines = [HEADER] + [
        f"IMP-{n:05d},Đỗ Thị Nhập {n},female,1990-01-02,{union},"
        f"{'2099-01-01' if n == bad_row else '2024-03-01'},active,"
        for n in range(1, rows + 1)
    ]
    return ("\n".join(lines) + "\n").encode()


class Reports(list):
    token = TOKEN


@pytest.fixture
def reports(monkeypatch):
    """Every state reported under TOKEN (the upload's) or, once set, `reports.token` (the confirmation's),
    in order, as well as written for the page's polls."""
    seen = Reports()
    write = progress.Reporter._write

    def record(self, state):
        if self.token == seen.token:
            seen.append(dict(state))
        write(self, state)

    monkeypatch.setattr(progress.Reporter, "_write", record)
    return seen


def upload(client, content: bytes, token: str = TOKEN, name: str = "members.csv"):
    return client.post("/import/", {
        "kind": "members", "file": SimpleUploadedFile(name, content), "progress": token,
    })


# -- the browser import ------------------------------------------------------------------------


def test_the_check_and_the_write_report_their_rows_as_they_go(client_for, officer_a, union_a, reports,
                                                               monkeypatch):
    monkeypatch.setattr(service, "CHUNK_ROWS", 2)
    client = client_for(officer_a)
    page = upload(client, members_csv(5))
    assert page.status_code == 200 and Member.objects.count() == 0  # the preview writes nothing
    assert [(r["stage"], r["done"], r["total"]) for r in reports] == [
        ("checking", 0, 5), ("checking", 2, 5), ("checking", 4, 5), ("checking", 5, 5), ("finished", 5, 5),
    ]
    assert client.get(f"/import/progress/{TOKEN}/").json() == {
        "stage": "finished", "done": 5, "total": 5, "text": "Xong: 5 dòng. Trang kết quả đang được tải.",
    }
    token = page.content.decode().split('name="token" value="')[1].split('"')[0]
    confirm_progress = page.content.decode().split('name="progress" value="')[1].split('"')[0]
    reports.clear()
    reports.token = confirm_progress
    response = client.post("/import/confirm/", {"token": token, "progress": confirm_progress})
    assert response.status_code == 302 and Member.objects.count() == 5
    assert [(r["stage"], r["done"], r["total"]) for r in reports] == [
        ("writing", 0, 5), ("writing", 2, 5), ("writing", 4, 5), ("writing", 5, 5), ("finished", 5, 5),
    ]


def test_the_status_text_says_where_the_work_is(client_for, officer_a, fed_a):
    client = client_for(officer_a)
    report = progress.Reporter(officer_a.pk, TOKEN, progress.CHECKING, 5000)
    report(2000)
    assert client.get(f"/import/progress/{TOKEN}/").json() == {
        "stage": "checking", "done": 2000, "total": 5000,
        "text": "Đang kiểm tra: dòng 2.000 trên khoảng 5.000",
    }
    progress.Reporter(officer_a.pk, TOKEN, progress.CHECKING, None)(4000)  # an XLSX: rows unknown
    assert client.get(f"/import/progress/{TOKEN}/").json()["text"] == "Đang kiểm tra: đã đọc 4.000 dòng"
    progress.Reporter(officer_a.pk, TOKEN, progress.WRITING, 5000)(4000)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert client.get(f"/import/progress/{TOKEN}/").json()["text"] == "Writing: row 4,000 of 5,000"


def test_a_file_with_a_problem_is_checked_to_its_end_and_nothing_written(client_for, officer_a, union_a,
                                                                        reports, monkeypatch):
    monkeypatch.setattr(service, "CHUNK_ROWS", 2)
    page = upload(client_for(officer_a), members_csv(5, bad_row=3))
    assert page.status_code == 200 and 'name="token"' not in page.content.decode()  # no confirmation
    assert reports[-1] == {"stage": "finished", "done": 5, "total": 5}
    assert Member.objects.count() == 0


def test_only_the_importing_user_is_answered(client_for, client, officer_a, officer_b, city_staff,
                                             admin_user, union_a):
    upload(client_for(officer_a), members_csv(3))
    url = f"/import/progress/{TOKEN}/"
    assert client_for(officer_a).get(url).status_code == 200
    assert client_for(officer_b).get(url).status_code == 404  # as for a token never used
    assert client_for(admin_user).get(url).status_code == 404
    assert client_for(city_staff).get(url).status_code == 403  # imports nothing
    client.logout()
    assert client.get(url)["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("token", ["../../etc/passwd", "P" * 31, "P" * 33, "P" * 31 + "/", "", "x" * 5000,
                                   "P" * 31 + "\x00"])
def test_a_hostile_progress_token_is_ignored_and_the_import_goes_on(client_for, officer_a, union_a, token,
                                                                   tmp_path):
    page = upload(client_for(officer_a), members_csv(3), token=token)
    assert page.status_code == 200 and 'name="token"' in page.content.decode()  # previewed as ever
    # nothing reported under it, anywhere: only the next forms' tokens, waiting for a file
    reported = [json.loads(path.read_text()) for path in storage.directory().glob("progress-*")]
    assert [state["stage"] for state in reported] == ["sending"]
    assert Member.objects.count() == 0


@pytest.mark.parametrize("path", ["/import/progress/../../x/", "/import/progress/%2e%2e%2fx/",
                                  f"/import/progress/{'P' * 31}/", f"/import/progress/{'P' * 32}/"])
def test_hostile_status_urls_are_not_found(client_for, officer_a, path):
    assert client_for(officer_a).get(path).status_code == 404


def test_a_broken_report_is_not_found_rather_than_an_error(client_for, officer_a):
    storage.directory().joinpath(f"progress-{officer_a.pk}-{TOKEN}.json").write_text("{not json")
    assert client_for(officer_a).get(f"/import/progress/{TOKEN}/").status_code == 404


def test_a_csv_s_rows_are_estimated_before_it_is_read():
    assert progress.estimate_rows(io.BytesIO(members_csv(4)), "a.csv") == 4
    assert progress.estimate_rows(io.BytesIO(members_csv(4).rstrip(b"\n")), "a.CSV") == 4
    assert progress.estimate_rows(io.BytesIO(b""), "a.csv") == 0
    assert progress.estimate_rows(io.BytesIO(b"PK\x03\x04"), "a.xlsx") is None


# -- the commands ------------------------------------------------------------------------------


def test_import_data_reports_plain_lines_when_not_on_a_terminal(union_a, tmp_path, monkeypatch):
    monkeypatch.setattr(service, "CHUNK_ROWS", 10)
    path = tmp_path / "members.csv"
    path.write_bytes(members_csv(45))
    out = io.StringIO()
    call_command("import_data", "members", str(path), "--dry-run", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[:5] == [
        "members: checking: 10/45 rows (22%)",
        "members: checking: 20/45 rows (44%)",
        "members: checking: 30/45 rows (66%)",
        "members: checking: 40/45 rows (88%)",
        "members: checking: 45/45 rows (100%)",
    ]
    assert "\r" not in out.getvalue() and Member.objects.count() == 0
    out = io.StringIO()
    call_command("import_data", "members", str(path), stdout=out)
    assert "members: importing: 45/45 rows (100%)" in out.getvalue().splitlines()
    assert Member.objects.count() == 45


def test_on_a_terminal_the_bar_is_redrawn_in_place():
    out = io.StringIO()
    bar = Progress(out, "demo: writing", 4, unit="federations", tty=True)
    bar.update(1, "LĐLĐ quận Ba Đình")
    bar.update(4)
    bar.finish()
    text = out.getvalue()
    assert text.count("\r") == 3 and text.endswith("\n") and text.count("\n") == 1
    line = "\rdemo: writing [#######-----------------------] 1/4 federations  25% LĐLĐ quận Ba Đình\x1b[K"
    assert line in text
    assert "[##############################] 4/4 federations 100%" in text


def test_plain_lines_come_at_each_tenth_and_once_at_the_end():
    out = io.StringIO()
    bar = Progress(out, "demo: quotas", 1000, tty=False)
    for done in range(1, 1001):
        bar.update(done)
    bar.finish()
    lines = out.getvalue().splitlines()
    assert len(lines) == 11 and lines[0] == "demo: quotas: 1/1.000 (0%)" and lines[-1] == (
        "demo: quotas: 1.000/1.000 (100%)")


def test_the_form_s_token_is_reported_waiting_for_the_file_from_the_start(client_for, officer_a,
                                                                         officer_b):
    page = client_for(officer_a).get("/import/").content.decode()
    token = page.split('name="progress" value="')[1].split('"')[0]
    assert f'data-progress-url="/import/progress/{token}/"' in page
    assert client_for(officer_a).get(f"/import/progress/{token}/").json() == {
        "stage": "sending", "done": 0, "total": None, "text": "Đang gửi tệp…",
    }
    assert client_for(officer_b).get(f"/import/progress/{token}/").status_code == 404
