"""Vietnamese first, English one click away: labels, numbers, errors and the catalogue itself."""

import datetime
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from branches.models import Sector
from members.models import Gender, Member
from targets.models import Metric
from tests.factories import FederationFactory, QuotaFactory, UnionFactory
from unionboard.text import fold

D = datetime.date
PO = Path(settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES" / "django.po"


@pytest.fixture
def reported_year(fed_a):
    """The seed report's year for A: 4.550 of 6.500 members (70,0%), 22 of 20 unions (110,0%)."""
    QuotaFactory(federation=fed_a, year=2024, metric=Metric.NEW_MEMBERS, target=6500)
    QuotaFactory(federation=fed_a, year=2024, metric=Metric.NEW_UNIONS, target=20)
    unions = UnionFactory.create_batch(
        22, federation=fed_a, founded_on=D(2024, 2, 1), sector=Sector.NON_STATE
    )
    members = []
    for number in range(4550):
        member = Member(
            card_no=f"TX{number:06d}", full_name=f"Nguyễn Thị Thử {number}", gender=Gender.FEMALE,
            union=unions[0], admitted_federation=fed_a,
            admitted_on=D(2024, 3, 1) + datetime.timedelta(days=number % 200),
        )
        member.name_search = fold(member.full_name)
        members.append(member)
    Member.objects.bulk_create(members, batch_size=1000)
    return fed_a


def get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


# -- pages in Vietnamese, the default ---------------------------------------------------------------


def test_overview_reads_like_the_reports(client_for, city_staff, reported_year):
    html = get(client_for(city_staff), reverse("overview"), year=2024)
    assert '<html lang="vi">' in html
    assert "Phát triển đoàn viên — toàn thành phố" in html
    assert "Kết nạp đoàn viên" in html and "Thành lập CĐCS" in html
    assert "4.550 / 6.500 — 70,0%" in html
    assert "22 / 20 — 110,0%" in html
    # a finished year (to 31 December) is met or not met, never "behind pace"
    assert "Không hoàn thành chỉ tiêu" in html and "Hoàn thành chỉ tiêu" in html
    assert "Chậm tiến độ" not in html
    assert "Năm 2024, số liệu tính đến ngày 31/12/2024." in html
    assert ">Xếp hạng<" in html and "Đăng xuất" in html
    # The charts speak Vietnamese too: legend names, decimal comma and thousands dot.
    assert '"separators":",."' in html and json.dumps("Không hoàn thành chỉ tiêu") in html
    for english in ("Members admitted", "Quota not met", "Quota met", "Log out", "Rankings"):
        assert english not in html


def test_rankings_in_vietnamese(client_for, city_staff, reported_year):
    html = get(client_for(city_staff), reverse("rankings"), year=2024)
    assert "Xếp hạng các công đoàn cấp trên" in html
    for label in ("Hạng", "Công đoàn cấp trên", "Loại hình", "Điểm (%)", "Thay đổi so với năm trước",
                  "Tải về CSV", "Tính đến ngày", "Tất cả loại hình", ">LĐLĐ quận<"):
        assert label in html, label
    assert "1 công đoàn cấp trên được xếp hạng." in html
    assert "4.550/6.500 — <strong>70,0%</strong>" in html
    assert ">90,0<" in html  # score: the mean of 70% and 110%


def test_federation_page_in_vietnamese(client_for, officer_a, reported_year):
    html = get(client_for(officer_a), reverse("federation_detail", args=["fed-a"]), year=2024)
    assert "4.550/6.500 đoàn viên — 70,0%" in html
    assert "22/20 CĐCS — 110,0%" in html
    assert "Xếp hạng toàn thành phố" in html and "Thứ 1/1" in html
    assert "Kết nạp đoàn viên, lũy kế theo tháng" in html
    assert "22 CĐCS đang hoạt động với 4.550 đoàn viên đang sinh hoạt." in html
    assert "Công đoàn cơ sở trực thuộc" in html and "Đoàn viên đang sinh hoạt" in html
    assert "Ngoài nhà nước" in html and "01/02/2024" in html


def test_unions_list_in_vietnamese(client_for, officer_a, reported_year):
    html = get(client_for(officer_a), reverse("branches:union_list"))
    for label in ("Tên hoặc mã", "Khối", "Trạng thái", "Năm thành lập", ">Lọc<", "Xóa bộ lọc",
                  "Thành lập CĐCS", "Nhập từ tệp", "Số lao động", "Đang hoạt động", "Ngoài nhà nước"):
        assert label in html, label
    assert '<option value="" selected>Tất cả</option>' in html  # not "---------"


def test_members_list_in_vietnamese_with_its_pagination(client_for, officer_a, reported_year):
    html = get(client_for(officer_a), reverse("members:member_list"))
    for label in ("Họ tên hoặc số thẻ", "Số thẻ đoàn viên", "Giới tính", "Ngày kết nạp", "Nữ",
                  "Đang sinh hoạt", "Kết nạp đoàn viên", "Năm kết nạp"):
        assert label in html, label
    assert 'aria-label="Phân trang bảng"' in html and "Trang sau" in html
    html = get(client_for(officer_a), reverse("members:member_list"), page=2)
    assert "Trang trước" in html


def test_member_form_and_its_errors_in_vietnamese(client_for, officer_a, reported_year):
    client = client_for(officer_a)
    html = get(client, reverse("members:member_create"))
    for label in ("Kết nạp đoàn viên", "Số thẻ đoàn viên", "Họ và tên", "Ngày sinh", "Ngày kết nạp",
                  ">Lưu<", ">Hủy<"):
        assert label in html, label
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    union = reported_year.unions.order_by("code").first()
    response = client.post(reverse("members:member_create"), {
        "card_no": "TX-NEW", "full_name": "", "gender": "female", "union": union.pk,
        "admitted_on": tomorrow.strftime("%d/%m/%Y"),
    })
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ngày không được ở tương lai." in html  # the product's own rule
    assert "Trường này là bắt buộc." in html  # Django's own message, in Vietnamese
    assert not Member.objects.filter(card_no="TX-NEW").exists()


def test_login_page_in_vietnamese(client):
    html = get(client, reverse("login"))
    assert "Đăng nhập Unionboard" in html
    assert "Tên đăng nhập" in html and "Mật khẩu" in html
    assert "Tiếng Việt" in html and "English" in html  # the switch, each in its own language


def test_error_message_of_a_read_only_user_in_vietnamese(client_for, city_staff, reported_year):
    response = client_for(city_staff).get(reverse("members:member_create"))
    assert response.status_code == 403
    assert "Chỉ cán bộ của công đoàn cấp trên mới được cập nhật" in response.content.decode()


# -- the language switch ----------------------------------------------------------------------------


def test_switch_to_english_is_remembered_and_back(client_for, city_staff, reported_year):
    client = client_for(city_staff)
    overview = reverse("overview") + "?year=2024"
    response = client.post(reverse("set_language"), {"language": "en", "next": overview})
    assert response.status_code == 302 and response["Location"] == overview
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en" and int(cookie["max-age"]) == 365 * 24 * 3600

    html = get(client, reverse("overview"), year=2024)
    assert '<html lang="en">' in html
    assert "Members admitted" in html and "4,550 / 6,500 — 70.0%" in html
    assert "22 / 20 — 110.0%" in html and '"separators":".,"' in html
    assert "Kết nạp đoàn viên" not in html
    # Remembered on every later page, not only the one switched on.
    html = get(client, reverse("federation_detail", args=["fed-a"]), year=2024)
    assert "4,550/6,500 members — 70.0%" in html

    client.post(reverse("set_language"), {"language": "vi", "next": overview})
    assert "4.550 / 6.500 — 70,0%" in get(client, reverse("overview"), year=2024)


def test_switch_works_before_logging_in(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert response.status_code == 302
    html = get(client, reverse("login"))
    assert "Log in to Unionboard" in html and "Đăng nhập Unionboard" not in html


# -- Vietnamese order and search --------------------------------------------------------------------


def test_lists_sort_in_vietnamese_alphabetical_order(client_for, city_staff):
    federations = ["LĐLĐ quận Đống Đa", "LĐLĐ quận Dương Xá", "LĐLĐ quận Zeta", "LĐLĐ quận Ân Thi"]
    for number, name in enumerate(federations):
        federation = FederationFactory(code=f"vi-{number}", name=name)
        QuotaFactory(federation=federation, year=2024, target=10)
        UnionFactory(federation=federation, name=name.replace("LĐLĐ quận", "Công đoàn Công ty"))
    client = client_for(city_staff)

    def order(html, names):
        return sorted(names, key=html.index)

    expected = ["LĐLĐ quận Ân Thi", "LĐLĐ quận Dương Xá", "LĐLĐ quận Đống Đa", "LĐLĐ quận Zeta"]
    assert order(get(client, reverse("rankings"), year=2024, sort="name"), federations) == expected
    descending = get(client, reverse("rankings"), year=2024, sort="-name")
    assert order(descending, federations) == expected[::-1]
    unions = [name.replace("LĐLĐ quận", "Công đoàn Công ty") for name in expected]
    assert order(get(client, reverse("branches:union_list")), unions) == unions


def test_search_ignores_diacritics_and_the_crossed_d(client_for, city_staff):
    UnionFactory(name="Công đoàn Công ty Đông Anh")
    UnionFactory(name="Công đoàn Công ty Dương Nội")
    client = client_for(city_staff)
    for query in ("dong anh", "ĐÔNG ANH", "Đông Anh"):
        html = get(client, reverse("branches:union_list"), q=query)
        assert "Đông Anh" in html and "Dương Nội" not in html, query


# -- the catalogue ----------------------------------------------------------------------------------


def parse_po(text: str) -> list[dict]:
    """Entries of a PO file: msgctxt, msgid, msgid_plural, msgstr / msgstr[n], flags, obsolete."""
    entries = []
    for block in re.split(r"\n\s*\n", text.strip()):
        entry: dict = {"flags": set(), "obsolete": False, "msgstr": {}}
        key = None
        for line in block.splitlines():
            if line.startswith("#~"):
                entry["obsolete"] = True
                line = line[2:].strip()
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
                continue
            if not line or line.startswith("#"):
                continue
            match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+"(.*)"$', line)
            if match:
                name, index, value = match.groups()
                key = ("msgstr", int(index or 0)) if name.startswith("msgstr") else name
                if isinstance(key, tuple):
                    entry["msgstr"][key[1]] = value
                else:
                    entry[key] = value
            elif line.startswith('"') and key:
                if isinstance(key, tuple):
                    entry["msgstr"][key[1]] += line.strip()[1:-1]
                else:
                    entry[key] += line.strip()[1:-1]
        if "msgid" in entry:
            entries.append(entry)
    return entries


def problems_of(po_text: str) -> list[str]:
    """Untranslated, fuzzy or placeholder-losing entries, and a wrong plural header."""
    entries = parse_po(po_text)
    header = next(entry for entry in entries if entry["msgid"] == "")
    problems = []
    if "Plural-Forms: nplurals=1; plural=0;" not in header["msgstr"][0]:
        problems.append("header: Plural-Forms must be nplurals=1; plural=0;")
    placeholder = re.compile(r"%\([a-z_]+\)s|%s|\{[a-z_]+\}")
    for entry in entries:
        if entry["msgid"] == "" or entry["obsolete"]:
            continue
        name = entry["msgid"]
        if "fuzzy" in entry["flags"]:
            problems.append(f"fuzzy: {name}")
        translations = list(entry["msgstr"].values())
        if not translations or not all(translations):
            problems.append(f"untranslated: {name}")
            continue
        source = entry.get("msgid_plural", name)
        for translation in translations:
            if sorted(placeholder.findall(translation)) != sorted(placeholder.findall(source)):
                problems.append(f"placeholders differ: {name}")
    return problems


def test_the_committed_catalogue_is_complete():
    assert problems_of(PO.read_text(encoding="utf-8")) == []


def test_the_check_catches_what_it_is_for():
    text = PO.read_text(encoding="utf-8") + (
        '\nmsgid "A new label"\nmsgstr ""\n'
        '\n#, fuzzy\nmsgid "Another label"\nmsgstr "Nhãn khác"\n'
        '\nmsgid "%(n)s left"\nmsgstr "còn lại"\n'
    )
    assert problems_of(text) == [
        "untranslated: A new label", "fuzzy: Another label", "placeholders differ: %(n)s left",
    ]


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (as compilemessages does)")
def test_every_string_of_the_source_is_in_the_catalogue(tmp_path):
    """makemessages over a copy of the project adds nothing untranslated to the catalogue.

    This is what stops a new label from shipping in English: the test fails until the string
    is extracted (makemessages) and translated in locale/vi.
    """
    base = Path(settings.BASE_DIR)
    copy = tmp_path / "project"
    skip = shutil.ignore_patterns(
        ".*", "__pycache__", "*.sqlite3", "*.mo", "staticfiles", "vendor", "bench", "docs",
        "test-results", "bench-results", "*.egg-info",
    )
    shutil.copytree(base, copy, ignore=skip)
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "vi", "--ignore=.venv",
         "--ignore=staticfiles", "--ignore=docs", "--ignore=bench"],
        cwd=copy, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert problems_of((copy / PO.relative_to(base)).read_text(encoding="utf-8")) == []
