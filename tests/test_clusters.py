"""Emulation clusters (cụm thi đua): the rules, the admin, the import, the rankings' cluster
filter with the in-cluster rank, and the cluster's page."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from imports import service
from targets.models import Cluster, ClusterMembership
from targets.services import cluster_set
from tests.factories import FederationFactory, QuotaFactory, make_user
from unionboard import roles

YEAR = 2024


@pytest.fixture
def feds(db):
    """Six federations with 2024 quotas of new members (scores 90, 80, 80, 60, 50, 40 %)."""
    feds = {}
    for code, target in (("f1", 10), ("f2", 10), ("f3", 10), ("f4", 10), ("f5", 10), ("f6", 10)):
        feds[code] = FederationFactory(code=code, name=f"LĐLĐ {code.upper()}")
        QuotaFactory(federation=feds[code], year=YEAR, target=target)
    return feds


def snapshot():
    return (
        sorted(Cluster.objects.values_list("name", "year", "leader_id")),
        sorted(ClusterMembership.objects.values_list("cluster__name", "federation_id", "year")),
        Cluster.history.count(), ClusterMembership.history.count(),
    )


def run(tmp_path, text, *, commit=True):
    path = tmp_path / "clusters.csv"
    path.write_text(text, encoding="utf-8")
    with path.open("rb") as source, translation.override("vi"):
        return service.import_file(kind="clusters", source=source, filename="clusters.csv", commit=commit)


# --- the rules, through the admin ------------------------------------------------------------


def admin_post(client, admin_user, data, members, cluster=None):
    client.force_login(admin_user)
    form = {
        "name": data["name"], "year": data["year"], "leader": data.get("leader", ""),
        "memberships-TOTAL_FORMS": str(len(members)), "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000", "_save": "Save",
    }
    for i, fed in enumerate(members):
        form[f"memberships-{i}-federation"] = str(fed.pk)
    with translation.override("vi"):
        return client.post("/admin/targets/cluster/add/", form, HTTP_ACCEPT_LANGUAGE="vi")


def test_admin_adds_a_cluster_with_members_and_leader_in_the_history(client, admin_user, feds):
    response = admin_post(client, admin_user, {"name": "Cụm 1", "year": YEAR, "leader": feds["f2"].pk},
                          [feds["f1"], feds["f2"]])
    assert response.status_code == 302
    cluster = Cluster.objects.get(name="Cụm 1")
    assert (cluster.year, cluster.leader) == (YEAR, feds["f2"])
    assert cluster.member_ids() == {feds["f1"].pk, feds["f2"].pk}
    assert cluster.history.get().history_user == admin_user
    assert ClusterMembership.history.filter(history_user=admin_user).count() == 2


def test_admin_refuses_a_leader_that_is_not_a_member(client, admin_user, feds):
    before = snapshot()
    response = admin_post(client, admin_user, {"name": "Cụm 1", "year": YEAR, "leader": feds["f3"].pk},
                          [feds["f1"], feds["f2"]])
    assert response.status_code == 200
    assert "Đơn vị cụm trưởng LĐLĐ F3 không phải là thành viên của cụm." in response.content.decode()
    assert snapshot() == before


def test_admin_refuses_a_federation_in_two_clusters_of_a_year(client, admin_user, feds):
    cluster_set(name="Cụm 1", year=YEAR, members=[feds["f1"], feds["f2"]], leader=feds["f1"])
    before = snapshot()
    response = admin_post(client, admin_user, {"name": "Cụm 2", "year": YEAR, "leader": feds["f3"].pk},
                          [feds["f2"], feds["f3"]])
    assert response.status_code == 200
    assert ("LĐLĐ F2 đã thuộc cụm “Cụm 1” năm 2024; mỗi đơn vị chỉ thuộc một cụm trong một năm."
            in response.content.decode())
    assert snapshot() == before
    # another year is another grouping (the 2025 reorganisation)
    response = admin_post(client, admin_user, {"name": "Cụm 2", "year": 2025, "leader": feds["f3"].pk},
                          [feds["f2"], feds["f3"]])
    assert response.status_code == 302


def test_admin_refuses_a_federation_listed_twice(client, admin_user, feds):
    before = snapshot()
    response = admin_post(client, admin_user, {"name": "Cụm 1", "year": YEAR, "leader": feds["f1"].pk},
                          [feds["f1"], feds["f1"]])
    assert response.status_code == 200
    assert "LĐLĐ F1 được ghi hai lần." in response.content.decode()
    assert snapshot() == before


def test_the_database_keeps_a_federation_in_one_cluster_a_year(feds):
    from django.db import IntegrityError, transaction

    one = Cluster.objects.create(name="Cụm 1", year=YEAR)
    two = Cluster.objects.create(name="Cụm 2", year=YEAR)
    ClusterMembership.objects.create(cluster=one, federation=feds["f1"])
    with pytest.raises(IntegrityError), transaction.atomic():
        ClusterMembership.objects.create(cluster=two, federation=feds["f1"])


# --- the import ------------------------------------------------------------------------------

GOOD = ("cluster,year,federation,leader\n"
        "Cụm 1,2024,f1,f2\nCụm 1,2024,f2,\nCụm 1,2024,f3,\n"
        "Cụm 2,2024,f4,f4\nCụm 2,2024,f5,\n")


def test_import_writes_clusters_and_again_changes_nothing(tmp_path, feds):
    preview = run(tmp_path, GOOD, commit=False)
    assert preview.ok and preview.created == 5 and not Cluster.objects.exists()
    result = run(tmp_path, GOOD)
    assert result.written and result.created == 5
    one = Cluster.objects.get(name="Cụm 1", year=YEAR)
    assert one.leader == feds["f2"] and one.member_ids() == {feds[c].pk for c in ("f1", "f2", "f3")}
    assert Cluster.objects.get(name="Cụm 2").leader == feds["f4"]
    assert "clusters.csv" in one.history.get().history_change_reason
    before = snapshot()
    again = run(tmp_path, GOOD)
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert snapshot() == before
    # a new leader is an update, shown old beside new
    changed = run(tmp_path, GOOD.replace("f1,f2", "f1,f3"))
    assert changed.updated == 1 and changed.changes[0].fields[0].old == "f2"
    assert Cluster.objects.get(name="Cụm 1").leader == feds["f3"]


@pytest.mark.parametrize(("text", "message"), [
    (GOOD + "Cụm 2,2024,f1,\n",
     "dòng 7, cột federation: Đơn vị này đã thuộc một cụm của năm đó ở dòng 2 của tệp; "
     "mỗi đơn vị chỉ thuộc một cụm trong một năm."),
    (GOOD.replace("Cụm 2,2024,f4,f4", "Cụm 2,2024,f4,f6"),
     "dòng 5, cột leader: Đơn vị cụm trưởng LĐLĐ F6 không phải là thành viên của cụm."),
    (GOOD.replace("Cụm 1,2024,f3,", "Cụm 1,2024,f3,f3"),
     "dòng 4, cột leader: Cụm “Cụm 1” năm 2024 ghi hai đơn vị cụm trưởng (“f2” ở dòng 2 và “f3”); "
     "mỗi cụm chỉ có một cụm trưởng."),
    (GOOD.replace("Cụm 1,2024,f2,", "Cụm 1,2024,khong-co,"),
     "dòng 3, cột federation: Không có công đoàn cấp trên nào mang mã “khong-co”."),
])
def test_import_refuses_bad_files_and_writes_nothing(tmp_path, feds, text, message):
    before = snapshot()
    result = run(tmp_path, text)
    assert not result.written
    with translation.override("vi"):
        assert [str(problem) for problem in result.problems] == [message]
    assert snapshot() == before


def test_import_refuses_a_federation_already_in_another_cluster_of_the_year(tmp_path, feds):
    cluster_set(name="Cụm 9", year=YEAR, members=[feds["f1"]], leader=None)
    before = snapshot()
    result = run(tmp_path, GOOD)
    with translation.override("vi"):
        assert [str(p) for p in result.problems] == [
            "dòng 2, cột federation: LĐLĐ F1 đã thuộc cụm “Cụm 9” năm 2024; "
            "mỗi đơn vị chỉ thuộc một cụm trong một năm."
        ]
    assert snapshot() == before


def test_clusters_are_imported_by_administrators_from_the_command_line(tmp_path, feds, officer_a):
    path = tmp_path / "clusters.csv"
    path.write_text(GOOD, encoding="utf-8")
    with pytest.raises(ValueError), path.open("rb") as source:
        service.import_file(kind="clusters", source=source, filename="c.csv", scope_user=officer_a)
    call_command("import_data", "clusters", str(path), stdout=io.StringIO())
    assert Cluster.objects.count() == 2
    path.write_text(GOOD.replace("Cụm 2,2024,f4,f4", "Cụm 2,2024,f4,f6"), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_data", "clusters", str(path), stdout=io.StringIO(), stderr=io.StringIO())


# --- the rankings and the cluster's page -----------------------------------------------------


@pytest.fixture
def league(feds):
    """Admissions giving scores f1 90 %, f2 80 %, f3 80 %, f4 60 %, f5 50 %, f6 40 %."""
    import datetime

    from tests.factories import MemberFactory, UnionFactory

    for code, admitted in (("f1", 9), ("f2", 8), ("f3", 8), ("f4", 6), ("f5", 5), ("f6", 4)):
        union = UnionFactory(federation=feds[code], founded_on=datetime.date(2010, 1, 1))
        for _ in range(admitted):
            MemberFactory(union=union, admitted_on=datetime.date(YEAR, 3, 1))
    cluster = cluster_set(name="Cụm 3", year=YEAR, members=[feds["f3"], feds["f5"], feds["f6"]],
                          leader=feds["f5"])
    return feds, cluster


def ranks(response):
    table = response.context["table"]
    return [(row.code, row.rank, row.cluster_rank) for row in table.rows]


def test_the_rankings_filter_by_cluster_with_the_rank_inside_it(client, city_staff, league):
    feds, cluster = league
    client.force_login(city_staff)
    response = client.get("/rankings/", {"year": YEAR, "cluster": cluster.pk})
    # city ranks among all six (f2 and f3 share 2nd), in-cluster ranks among the three
    assert ranks(response) == [("f3", 2, 1), ("f5", 5, 2), ("f6", 6, 3)]
    page = response.content.decode()
    assert "Hạng trong cụm" in page
    assert f"/clusters/{cluster.pk}/?year=2024&amp;as_of=2024-12-31" in page
    # without a cluster: every federation, no in-cluster rank column
    response = client.get("/rankings/", {"year": YEAR})
    assert len(ranks(response)) == 6 and "Hạng trong cụm" not in response.content.decode()


def test_the_cluster_filter_costs_the_same_queries_whatever_its_size(client, city_staff, league):
    feds, cluster = league
    client.force_login(city_staff)
    counts = []
    for members in ([feds["f3"]], [feds["f1"], feds["f2"], feds["f4"]]):
        cluster_set(name="Cụm 3", year=YEAR, members=members, leader=feds["f5"])
        from django.core.cache import cache
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            client.get("/rankings/", {"year": YEAR, "cluster": cluster.pk})
        counts.append(len(queries))
    assert counts[0] == counts[1]
    cache.clear()
    assert len(ranks(client.get("/rankings/", {"year": YEAR, "cluster": cluster.pk}))) == 6


def test_the_cluster_page_shows_members_ranks_leader_and_totals(client, officer_b, league):
    feds, cluster = league
    feds["f3"].officers.add(officer_b)
    client.force_login(officer_b)
    response = client.get(f"/clusters/{cluster.pk}/", {"year": YEAR, "as_of": "2024-12-31"})
    assert response.status_code == 200
    assert ranks(response) == [("f3", 2, 1), ("f5", 5, 2), ("f6", 6, 3)]
    page = response.content.decode()
    assert 'LĐLĐ F5 <span class="badge text-bg-primary">cụm trưởng</span>' in page
    # totals: 8 + 5 + 4 admitted of 10 + 10 + 10
    assert "17/30 người — 56,7%" in page


def test_an_officer_opens_only_the_clusters_of_their_federation(client, officer_a, city_staff, league):
    feds, cluster = league
    client.force_login(officer_a)  # fed-a is in no cluster
    assert client.get(f"/clusters/{cluster.pk}/").status_code == 404
    page = client.get("/rankings/", {"year": YEAR, "cluster": cluster.pk}).content.decode()
    assert "LĐLĐ F3" in page and f"/clusters/{cluster.pk}/" not in page
    client.force_login(city_staff)
    assert client.get(f"/clusters/{cluster.pk}/").status_code == 200


def test_a_user_without_a_role_opens_no_cluster(client, league):
    feds, cluster = league
    client.force_login(make_user("nobody"))
    assert client.get(f"/clusters/{cluster.pk}/").status_code == 404
    assert roles  # the roles module names the groups the other tests use
