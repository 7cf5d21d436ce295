"""Founding a union: the code is suggested from the federation and the name, and a bad code
is told in Vietnamese what a code may hold — by the form, the admin and the import alike."""

import io
import re

import pytest
from django.urls import reverse

from branches.models import GrassrootsUnion
from imports import service
from tests.factories import UnionFactory

pytestmark = pytest.mark.django_db

CODE_INVALID_VI = (
    "Mã chỉ gồm chữ cái không dấu (a–z), chữ số, dấu gạch ngang (-) và gạch dưới (_), "
    "không có khoảng trắng; ví dụ thanh-xuan-may-10."
)


def found(client, fed, **values):
    data = {"code": "", "name": "Công đoàn Công ty May Đức Giang", "federation": fed.pk,
            "sector": "non_state", "founded_on": "02/04/2024", "employees": "120"} | values
    return client.post(reverse("branches:union_create"), data)


def test_a_union_founded_without_a_code_takes_the_suggested_one(client_for, officer_a, fed_a):
    response = found(client_for(officer_a), fed_a)
    assert response.status_code == 302
    union = GrassrootsUnion.objects.get()
    assert union.code == "fed-a-cong-ty-may-duc-giang"  # đ is d, the accents gone, "Công đoàn" left out
    assert response["Location"] == union.get_absolute_url()
    page = client_for(officer_a).get(response["Location"]).content.decode()
    assert "Mã của công đoàn, tạo từ công đoàn cấp trên và tên: fed-a-cong-ty-may-duc-giang." in page


def test_a_suggested_code_already_taken_gets_a_number(client_for, officer_a, fed_a):
    UnionFactory(code="fed-a-cong-ty-may-duc-giang", federation=fed_a)
    assert found(client_for(officer_a), fed_a).status_code == 302
    assert GrassrootsUnion.objects.filter(code="fed-a-cong-ty-may-duc-giang-2").exists()


def test_a_long_name_makes_a_code_cut_at_a_word(client_for, officer_a, fed_a):
    name = "Công đoàn Công ty Trách nhiệm hữu hạn Một thành viên Đầu tư Phát triển Nhà Hà Nội"
    assert found(client_for(officer_a), fed_a, name=name).status_code == 302
    assert GrassrootsUnion.objects.get().code == "fed-a-cong-ty-trach-nhiem-huu-han-mot-thanh-vien"


def test_the_form_says_the_code_may_be_left_empty(client_for, officer_a, fed_a):
    html = client_for(officer_a).get(reverse("branches:union_create")).content.decode()
    assert "Để trống để dùng mã tạo từ công đoàn cấp trên và tên, ví dụ fed-a-cong-ty-may-10." in html


def test_a_form_shown_again_shows_the_suggested_code(client_for, officer_a, fed_a):
    response = found(client_for(officer_a), fed_a, founded_on="31/02/2024")
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'<input[^>]*name="code"[^>]*value="fed-a-cong-ty-may-duc-giang"', html)
    assert not GrassrootsUnion.objects.exists()


@pytest.mark.parametrize("code", ["Thanh Xuân 01", "tx/may", "may 10"])
def test_a_bad_code_is_told_what_a_code_may_hold(client_for, officer_a, fed_a, code):
    response = found(client_for(officer_a), fed_a, code=code)
    assert response.status_code == 200
    html = response.content.decode()
    assert CODE_INVALID_VI in html
    assert "slug" not in html.lower()
    assert not GrassrootsUnion.objects.exists()


def test_the_import_gives_a_bad_code_the_same_message(officer_a, fed_a):
    csv = ("code,name,federation,sector,founded_on,status,status_on,employees\n"
           "Thanh Xuân 01,Công đoàn Công ty May,fed-a,non_state,2024-04-02,active,,40\n")
    result = service.import_file(kind="unions", source=io.BytesIO(csv.encode()), filename="unions.csv",
                                 scope_user=officer_a, history_user=officer_a, commit=True)
    assert [problem.message for problem in result.problems] == [CODE_INVALID_VI]
    assert not GrassrootsUnion.objects.exists()


def test_the_admin_gives_a_bad_code_the_same_message(client_for, admin_user, fed_a):
    response = client_for(admin_user).post(reverse("admin:branches_grassrootsunion_add"), {
        "code": "Thanh Xuân 01", "name": "Công đoàn Công ty May", "federation": fed_a.pk,
        "sector": "non_state", "founded_on": "2024-04-02", "status": "active",
    })
    assert response.status_code == 200
    assert CODE_INVALID_VI in response.content.decode()
    assert not GrassrootsUnion.objects.exists()
