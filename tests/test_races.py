"""Two people at once: transfers of one member, admissions of one card number, a double-clicked import.

The threaded tests run on PostgreSQL, where two requests really write at the same time;
SQLite takes one writer at a time (BEGIN IMMEDIATE), so there the same paths are driven
deterministically: a form drawn before someone else's transfer, a card number that was
free when checked and taken when written, an import file already claimed.
"""

from __future__ import annotations

import datetime
import re
import threading
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import translation

from imports import storage
from imports import views as import_views
from members import services
from members.models import CHANGED_MEANWHILE, Member, Transfer
from tests.factories import MemberFactory, UnionFactory

D = datetime.date
on_postgresql = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="SQLite serialises writers; the paths are tested below"
)


def vi(message) -> str:
    """A message (a msgid or a lazy string) in Vietnamese, as the pages show it."""
    with translation.override("vi"):
        return translation.gettext(message) if isinstance(message, str) else str(message)


def in_parallel(*calls: Callable[[], object]) -> list:
    """Run the calls in threads of their own (each with its own database connection)."""
    results: list = [None] * len(calls)
    failures: list[BaseException] = []

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            results[index] = call()
        except BaseException as exc:  # noqa: BLE001 - reported to the test below
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a request hung"
    if failures:
        raise failures[0]
    return results


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def both_wait_before(monkeypatch, owner, name: str) -> threading.Barrier:
    """Hold each thread at `owner.name` until both are there: both have read, neither has written."""
    barrier = threading.Barrier(2, timeout=20)
    original = getattr(owner, name)

    def waiting(*args, **kwargs):
        barrier.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, waiting)
    return barrier


def form_messages(response) -> list[str]:
    return [str(m) for messages in response.context["form"].errors.values() for m in messages]


@pytest.fixture
def unions(fed_a):
    return [
        UnionFactory(code=f"a-{n}", federation=fed_a, founded_on=D(2018, 1, 1)) for n in range(3)
    ]


# -- transfers --------------------------------------------------------------------------------------


@on_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_two_simultaneous_transfers_of_one_member_one_wins(monkeypatch, officer_a, unions, attempt):
    """Both officers opened the member in union 0; one moves them to 1, the other to 2, at once."""
    member = MemberFactory(card_no=f"RACE-{attempt}", union=unions[0], admitted_on=D(2024, 1, 10))
    both_wait_before(monkeypatch, services, "member_transfer")
    url = reverse("members:member_transfer", args=[member.card_no])
    clients = [logged_in(officer_a), logged_in(officer_a)]
    responses = in_parallel(*(
        lambda client=client, target=target: client.post(
            url, {"to_union": target.code, "transferred_on": "2024-06-01", "from_union": unions[0].pk}
        )
        for client, target in zip(clients, unions[1:], strict=True)
    ))
    assert sorted(response.status_code for response in responses) == [200, 302]
    refused = next(response for response in responses if response.status_code == 200)
    assert vi(CHANGED_MEANWHILE) in form_messages(refused)
    member.refresh_from_db()
    transfer = Transfer.objects.get(member=member)  # one, and the member is where it says
    assert (transfer.from_union_id, transfer.to_union_id) == (unions[0].pk, member.union_id)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_transfers_without_a_picture_chain_up(monkeypatch, unions):
    """Callers that do not say where they saw the member (the admin) are served one after the other."""
    member = MemberFactory(card_no="RACE-CHAIN", union=unions[0], admitted_on=D(2024, 1, 10))
    both_wait_before(monkeypatch, Member.objects, "select_for_update")

    def move(target):
        def call():
            stale = Member.objects.get(pk=member.pk)  # both read union 0 before either writes
            try:
                return services.member_transfer(member=stale, to_union=target, transferred_on=D(2024, 6, 1))
            except ValidationError as exc:
                return exc

        return call

    results = in_parallel(move(unions[1]), move(unions[2]))
    assert all(isinstance(result, Transfer) for result in results), results
    member.refresh_from_db()
    chain = list(Transfer.objects.filter(member=member).order_by("pk").values_list("from_union", "to_union"))
    # The second starts where the first ended: the history adds up to where the member is.
    assert chain[0][0] == unions[0].pk and chain[1][0] == chain[0][1] and chain[1][1] == member.union_id


@pytest.mark.django_db
def test_a_transfer_form_drawn_before_another_transfer_is_refused(client_for, officer_a, unions):
    member = MemberFactory(card_no="STALE-1", union=unions[0], admitted_on=D(2024, 1, 10))
    client = client_for(officer_a)
    url = reverse("members:member_transfer", args=[member.card_no])
    page = client.get(url).content.decode()
    seen = re.search(r'name="from_union" value="(\d+)"', page).group(1)
    assert seen == str(unions[0].pk)
    services.member_transfer(member=member, to_union=unions[1], transferred_on=D(2024, 5, 1))  # someone else
    response = client.post(url, {"to_union": unions[2].code, "transferred_on": "2024-06-01",
                                 "from_union": seen})
    assert response.status_code == 200
    assert form_messages(response) == [vi(CHANGED_MEANWHILE)]
    member.refresh_from_db()
    assert member.union == unions[1] and Transfer.objects.filter(member=member).count() == 1
    # Reloaded, the form carries the present union and goes through.
    page = client.get(url).content.decode()
    seen = re.search(r'name="from_union" value="(\d+)"', page).group(1)
    response = client.post(url, {"to_union": unions[2].code, "transferred_on": "2024-06-01",
                                 "from_union": seen})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.union == unions[2]


@pytest.mark.django_db
def test_a_departure_after_a_departure_is_refused(client_for, officer_a, unions):
    member = MemberFactory(card_no="LEFT-1", union=unions[0], admitted_on=D(2024, 1, 10))
    stale = Member.objects.get(pk=member.pk)
    services.member_leave(member=member, left_on=D(2024, 3, 1), reason="retired")
    with pytest.raises(ValidationError) as refused:
        services.member_leave(member=stale, left_on=D(2024, 4, 1), reason="other")
    assert refused.value.messages == [str(services.ALREADY_LEFT)]
    member.refresh_from_db()
    assert (member.left_on, member.left_reason) == (D(2024, 3, 1), "retired")


# -- admissions of one card number ------------------------------------------------------------------


def admission(union, card_no="DUP-1") -> dict:
    return {"card_no": card_no, "full_name": "Trần Văn Thử", "gender": "male", "birth_date": "1990-01-01",
            "union": union.pk, "admitted_on": "2024-06-01"}


@on_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_two_simultaneous_admissions_of_one_card_number(monkeypatch, officer_a, unions, attempt):
    """Both forms found the card number free; the database takes one, the other gets its form back."""
    both_wait_before(monkeypatch, Member, "save")
    card = f"DUP-{attempt}"
    url = reverse("members:member_create")
    responses = in_parallel(*(
        lambda client=client: client.post(url, admission(unions[0], card))
        for client in (logged_in(officer_a), logged_in(officer_a))
    ))
    assert sorted(response.status_code for response in responses) == [200, 302]
    refused = next(response for response in responses if response.status_code == 200)
    assert refused.context["form"].errors["card_no"] == [vi(services.JUST_RECORDED)]
    assert Member.objects.filter(card_no=card).count() == 1


@pytest.mark.django_db
def test_a_card_number_taken_between_the_check_and_the_write(monkeypatch, client_for, officer_a, unions):
    """The same path without threads: the check sees the number free, the database refuses it."""
    MemberFactory(card_no="DUP-1", union=unions[1])
    # As if the other admission had not been committed yet when the form and service checked.
    monkeypatch.setattr(Member, "validate_unique", lambda self, exclude=None: None)
    before = Member.objects.count()
    response = client_for(officer_a).post(reverse("members:member_create"), admission(unions[0]))
    assert response.status_code == 200
    assert response.context["form"].errors["card_no"] == [vi(services.JUST_RECORDED)]
    assert Member.objects.count() == before
    assert Member.objects.get(card_no="DUP-1").union == unions[1]


# -- a confirmation clicked twice -------------------------------------------------------------------

MEMBERS_CSV = (
    "card_no,full_name,gender,union,admitted_on\n"
    "IMP-1,Trần Thị Thử,female,a-0,2024-03-01\n"
    "IMP-2,Lê Văn Mẫu,male,a-0,2024-04-01\n"
)


def upload(client) -> str:
    response = client.post(reverse("imports:upload"), {
        "kind": "members", "file": SimpleUploadedFile("members.csv", MEMBERS_CSV.encode()),
    })
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


def flash(response, client) -> list[str]:
    return [str(message) for message in client.get(response["Location"]).context["messages"]]


@pytest.fixture
def pending_dir(settings, tmp_path):
    settings.IMPORT_TEMP_DIR = str(tmp_path / "pending")


@pytest.mark.django_db
def test_a_second_confirmation_does_not_import_again(pending_dir, client_for, officer_a, unions):
    client = client_for(officer_a)
    token = upload(client)
    first = client.post(reverse("imports:confirm"), {"token": token})
    assert first.status_code == 302 and Member.objects.filter(card_no__startswith="IMP-").count() == 2
    history = Member.history.count()
    second = client.post(reverse("imports:confirm"), {"token": token})
    assert second.status_code == 302
    assert vi("This file has already been imported.") in flash(second, client)
    assert Member.history.count() == history  # nothing written a second time


@pytest.mark.django_db
def test_a_confirmation_while_the_first_is_being_applied(
    monkeypatch, pending_dir, client_for, officer_a, unions
):
    client = client_for(officer_a)
    token = upload(client)
    pending = storage.find(client_request(client, officer_a), token)
    assert storage.claim(pending) is not None  # the first click has the file
    assert storage.claim(pending) is None  # a second claim of the same file fails
    monkeypatch.setattr(import_views, "CONFIRM_WAIT_SECONDS", 0.3)
    response = client.post(reverse("imports:confirm"), {"token": token})
    assert response.status_code == 302
    assert any("vẫn đang được nhập" in message for message in flash(response, client))
    assert not Member.objects.filter(card_no__startswith="IMP-").exists()


def client_request(client, user):
    """A request object carrying the test client's session, for the storage functions."""
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.session, request.user = client.session, user
    return request


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_double_click_on_confirm_imports_once(pending_dir, officer_a, unions):
    first = logged_in(officer_a)
    token = upload(first)
    second = Client()
    second.cookies = first.cookies  # the same browser session, two requests at once
    responses = in_parallel(*(
        lambda client=client: client.post(reverse("imports:confirm"), {"token": token})
        for client in (first, second)
    ))
    assert [response.status_code for response in responses] == [302, 302]
    assert Member.objects.filter(card_no__startswith="IMP-").count() == 2
    assert Member.history.filter(card_no__startswith="IMP-").count() == 2  # written once


def test_sqlite_writers_wait_for_the_lock():
    if connection.vendor != "sqlite":
        pytest.skip("an SQLite setting")
    options = connection.settings_dict["OPTIONS"]
    assert options["timeout"] == 20 and options["transaction_mode"] == "IMMEDIATE"
