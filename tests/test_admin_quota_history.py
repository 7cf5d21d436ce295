"""Quotas in the admin: years written as years, a reason for every change, and a history that
reads "6.500 → 6.000, reason, who, when" from the first change on."""

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from targets.models import Metric, Quota
from targets.services import quota_set
from tests.factories import FederationFactory

pytestmark = pytest.mark.django_db

REASON_REQUIRED_VI = "Nêu lý do thay đổi chỉ tiêu."


def _list_edit(client, quota, target, reason=None):
    data = {
        "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1",
        "form-MIN_NUM_FORMS": "0", "form-MAX_NUM_FORMS": "1000",
        "form-0-id": str(quota.pk), "form-0-target": str(target), "_save": "Lưu",
    }
    if reason is not None:
        data["change_reason"] = reason
    return client.post(reverse("admin:targets_quota_changelist"), data)


@pytest.fixture
def quota(admin_user):
    federation = FederationFactory(code="thanh-xuan", name="LĐLĐ quận Thanh Xuân")
    return quota_set(
        federation=federation, year=2026, metric=Metric.NEW_MEMBERS, target=6500,
        reason="Giao chỉ tiêu năm 2026", user=admin_user,
    )


def test_years_read_as_years_in_the_list_filters_form_and_history(client_for, admin_user, quota):
    client = client_for(admin_user)
    pages = {
        "list": client.get(reverse("admin:targets_quota_changelist")),
        "change form": client.get(reverse("admin:targets_quota_change", args=[quota.pk])),
        "history": client.get(reverse("admin:targets_quota_history", args=[quota.pk])),
        "historical record": client.get(
            reverse("admin:targets_quota_simple_history", args=[quota.pk, quota.history.get().pk])
        ),
    }
    for name, response in pages.items():
        html = response.content.decode()
        assert response.status_code == 200, name
        assert "2.026" not in html, name
        assert "2026" in html, name
    listing = pages["list"].content.decode()
    assert re.search(r'<td class="field-year_shown">2026</td>', listing)
    assert re.search(r'href="\?year=2026"[^>]*>\s*2026\s*<', listing)  # the year filter
    assert '<div class="readonly">2026</div>' in pages["change form"].content.decode()
    assert "LĐLĐ quận Thanh Xuân 2026 Kết nạp đoàn viên: 6.500" in pages["history"].content.decode()


def test_a_target_changed_in_the_list_is_kept_with_its_reason(client_for, admin_user, quota):
    response = _list_edit(client_for(admin_user), quota, 6000, reason="  Điều chỉnh theo   Nghị quyết 12 ")
    assert response.status_code == 302
    latest = Quota.objects.get(pk=quota.pk).history.first()
    assert (latest.target, latest.history_change_reason, latest.history_user) == (
        6000, "Điều chỉnh theo Nghị quyết 12", admin_user,
    )


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_a_target_changed_in_the_list_without_a_reason_is_refused(client_for, admin_user, quota, reason):
    response = _list_edit(client_for(admin_user), quota, 6000, reason=reason)
    assert response.status_code == 200  # the list again, with the message on the row
    assert REASON_REQUIRED_VI in response.content.decode()
    assert Quota.objects.get(pk=quota.pk).target == 6500
    assert quota.history.count() == 1


def test_the_list_saves_unchanged_rows_without_a_reason(client_for, admin_user, quota):
    response = _list_edit(client_for(admin_user), quota, 6500)
    assert response.status_code == 302
    assert quota.history.count() == 1


@pytest.mark.parametrize("reason", ["", "  "])
def test_the_change_form_refuses_a_change_without_a_reason(client_for, admin_user, quota, reason):
    response = client_for(admin_user).post(
        reverse("admin:targets_quota_change", args=[quota.pk]), {"target": "6000", "reason": reason}
    )
    assert response.status_code == 200
    assert REASON_REQUIRED_VI in response.content.decode()
    assert Quota.objects.get(pk=quota.pk).target == 6500
    assert quota.history.count() == 1


def test_the_change_form_marks_the_reason_required(client_for, admin_user, quota):
    html = client_for(admin_user).get(reverse("admin:targets_quota_change", args=[quota.pk])).content.decode()
    assert re.search(r'<label class="required[^"]*" for="id_reason">', html)
    assert re.search(r'<input[^>]*name="reason"[^>]*required', html)


def test_the_change_form_keeps_the_reason(client_for, admin_user, quota):
    response = client_for(admin_user).post(
        reverse("admin:targets_quota_change", args=[quota.pk]),
        {"target": "6000", "reason": "Sáp nhập phường"},
    )
    assert response.status_code == 302
    latest = quota.history.first()
    assert (latest.target, latest.history_change_reason, latest.history_user) == (
        6000, "Sáp nhập phường", admin_user,
    )


def test_a_quota_added_without_a_reason_is_refused(client_for, admin_user):
    federation = FederationFactory()
    response = client_for(admin_user).post(
        reverse("admin:targets_quota_add"),
        {"federation": federation.pk, "year": "2026", "metric": Metric.NEW_UNIONS, "target": "12",
         "reason": ""},
    )
    assert response.status_code == 200
    assert REASON_REQUIRED_VI in response.content.decode()
    assert not Quota.objects.exists()


def test_the_history_shows_each_change_with_its_reason_who_and_when(client_for, admin_user, quota):
    client = client_for(admin_user)
    _list_edit(client, quota, 6000, reason="Điều chỉnh giữa năm")
    _list_edit(client, quota, 6100, reason="Bổ sung khu công nghiệp")
    response = client.get(reverse("admin:targets_quota_history", args=[quota.pk]))
    table = re.search(r'<table id="change-history".*?</table>', response.content.decode(), re.S).group()
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]
    cells = [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
             for row in rows]
    day = timezone.localdate().strftime("%d/%m/%Y")
    assert [row[:3] for row in cells] == [
        ["6.000 → 6.100", "Bổ sung khu công nghiệp", "admin"],
        ["6.500 → 6.000", "Điều chỉnh giữa năm", "admin"],
        ["6.500 (đặt)", "Giao chỉ tiêu năm 2026", "admin"],
    ]
    assert all(re.fullmatch(rf"{day} \d\d:\d\d", row[3]) for row in cells), cells


def test_the_history_queries_do_not_grow_with_changes(
    client_for, admin_user, quota, django_assert_max_num_queries
):
    client = client_for(admin_user)
    client.get(reverse("admin:targets_quota_history", args=[quota.pk]))
    for target in range(7000, 7020):
        quota_set(federation=quota.federation, year=2026, metric=Metric.NEW_MEMBERS, target=target,
                  reason="điều chỉnh", user=admin_user)
    # session, user, the quota, the count, the page of history (each with the target before), content type
    with django_assert_max_num_queries(10):
        client.get(reverse("admin:targets_quota_history", args=[quota.pk]))


@pytest.mark.parametrize("reason", ["", " \t "])
def test_quota_set_refuses_a_change_without_a_reason(quota, reason):
    with pytest.raises(ValidationError) as raised:
        quota_set(
            federation=quota.federation, year=2026, metric=Metric.NEW_MEMBERS, target=6000, reason=reason
        )
    assert "reason" in raised.value.error_dict
    assert Quota.objects.get(pk=quota.pk).target == 6500
    assert quota.history.count() == 1


def test_quota_set_refuses_a_new_quota_without_a_reason():
    federation = FederationFactory()
    with pytest.raises(ValidationError):
        quota_set(federation=federation, year=2026, metric=Metric.NEW_UNIONS, target=20, reason="")
    assert not Quota.objects.exists()


def test_the_quota_import_keeps_the_reason_given(tmp_path, quota):
    path = tmp_path / "quotas.csv"
    path.write_text("federation,year,metric,target\nthanh-xuan,2026,new_members,6000\n", encoding="utf-8")
    call_command("import_data", "quotas", str(path), "--reason", "Nghị quyết 5/2026", stdout=io.StringIO())
    latest = quota.history.first()
    assert latest.target == 6000
    assert latest.history_change_reason.startswith("Nghị quyết 5/2026 (import quotas from quotas.csv #")


def test_an_unchanged_target_writes_nothing(quota):
    quota_set(federation=quota.federation, year=2026, metric=Metric.NEW_MEMBERS, target=6500, reason="")
    assert quota.history.count() == 1
