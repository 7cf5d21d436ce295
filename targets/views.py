"""Dashboard views: city overview, rankings, federation pages and rankings exports.

Views only pick the scoped federations and the period, call targets.progress and hand
plain rows to templates, tables and charts.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import localize
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from branches.models import Federation, GrassrootsUnion, Sector
from branches.selectors import largest_uncovered, with_active_members
from targets import charts, exports, progress
from targets.filters import LeagueFilter, PeriodFilter, RankingFilter, years_read
from targets.forms import RatingsForm, ReportForm
from targets.models import Cluster, Metric
from targets.services import rating_set, report_set
from targets.tables import FederationUnionTable, RankingTable
from unionboard import roles
from unionboard.access import object_to_edit
from unionboard.pagecache import (
    CachedContentView,
    Part,
    league_federations,
    shared_data,
    visible_federations,
)
from unionboard.revisions import CITY, ITSELF, QUOTA_YEARS, Reads
from unionboard.routers import replica_reads

METRIC_TITLES: dict[str, Callable[[], str]] = {
    Metric.NEW_MEMBERS: lambda: _("New members admitted"),
    Metric.NEW_UNIONS: lambda: _("New grassroots unions founded"),
}
CARD_TITLES: dict[str, Callable[[], str]] = {
    Metric.NEW_MEMBERS: lambda: _("Members admitted"),
    Metric.NEW_UNIONS: lambda: _("Grassroots unions founded"),
}


# The year menu of every dashboard lists the years with quotas.
YEAR_MENU = Reads((CITY,), (QUOTA_YEARS,))


def _filter_data(request):
    """The query string, with the current year when none is given."""
    data = request.GET.copy()
    if not data.get("year"):
        data["year"] = str(progress.today().year)
    return data


@require_safe
def home(request):
    """City staff land on the city overview, an officer on their own federation."""
    if roles.is_city_wide(request.user):
        return redirect("overview")
    federation = Federation.objects.visible_to(request.user).order_by("code").first()
    if federation is not None:
        return redirect("federation_detail", code=federation.code)
    raise PermissionDenied(_("Your account has no role yet: ask an administrator."))


class OverviewView(CachedContentView):
    """Headline figures, attainment charts and the furthest behind, over what the user sees."""

    page = "overview"
    template_name = "targets/overview.html"
    replica = True

    def check(self) -> None:
        _check_league(self.request)

    def reads(self) -> list[Reads]:
        """The figures of the year and the year before of the federations the user sees."""
        years = years_read(self.request.GET)
        return [Reads(visible_federations(self.request.user), (*years, ITSELF)), YEAR_MENU]

    def get_content_context(self) -> dict[str, Any]:
        federations = Federation.objects.visible_to(self.request.user)
        filterset = RankingFilter(_filter_data(self.request), queryset=federations)
        period = filterset.period()
        rows = progress.league(filterset.qs, period, filterset.indicators)
        totals = progress.totals(rows, period)
        ranked = [row for row in rows if row.rank is not None]
        chosen = filterset.chosen()
        return {
            "filter": filterset,
            "period": period,
            "rows": rows,
            "ranked": ranked,
            "totals": totals,
            "cards": [
                {"metric": ind.code, "indicator": ind, "membership": ind.code in progress.METRICS,
                 "title": CARD_TITLES[ind.code]() if ind.code in CARD_TITLES else ind.name,
                 "current": totals.metrics[ind.code],
                 "previous": totals.previous[ind.code], "previous_year": str(period.year - 1)}
                for ind in chosen
            ],
            "behind": progress.furthest_behind(rows),
            "charts": [
                {"id": f"chart-{ind.code}", "metric": ind.code, "indicator": ind,
                 "title": METRIC_TITLES[ind.code]() if ind.code in METRIC_TITLES else ind.name,
                 "json": charts.attainment_bars(ranked, ind.code),
                 "rows": [(row.name, row.metrics[ind.code]) for row in ranked
                          if row.metrics[ind.code].has_quota]}
                for ind in chosen
                # a chart of attainment: the membership two always, another when it has quotas
                if ind.code in progress.METRICS or any(row.metrics[ind.code].has_quota for row in ranked)
            ],
            "linkable": set(federations.values_list("pk", flat=True)),
        }


def _check_league(request) -> None:
    """The league is for users with a role (Federation.objects.in_league)."""
    if not roles.has_role(request.user):
        raise PermissionDenied


def _league_for(request):
    """The league of the filters; with a cluster chosen, its members' rows with their rank
    inside the cluster beside the city rank."""
    league = Federation.objects.in_league(request.user)
    filterset = LeagueFilter(_filter_data(request), queryset=league)
    period = filterset.period()
    rows = progress.league(filterset.qs, period, filterset.indicators)
    cluster = filterset.chosen_cluster()
    if cluster is not None:
        rows = progress.in_cluster(rows, cluster.member_ids())
    return filterset, period, rows


class RankingsView(CachedContentView):
    """The league table: every federation's figures, rank and change since last year."""

    page = "rankings"
    template_name = "targets/rankings.html"
    replica = True

    def check(self) -> None:
        _check_league(self.request)

    def reads(self) -> list[Reads]:
        """The figures of the year and the year before of every federation in the league."""
        years = years_read(self.request.GET)
        return [Reads(league_federations(self.request.user), (*years, ITSELF)), YEAR_MENU]

    def get_content_context(self) -> dict[str, Any]:
        request = self.request
        filterset, period, rows = _league_for(request)
        linkable = set(Federation.objects.visible_to(request.user).values_list("pk", flat=True))
        cluster = filterset.chosen_cluster()
        openable = cluster is not None and Cluster.objects.visible_to(request.user).filter(
            pk=cluster.pk).exists()
        return {
            "filter": filterset,
            "period": period,
            "table": RankingTable(rows, request, linkable=linkable, period=period,
                                  indicators=filterset.chosen(), cluster=cluster is not None,
                                  leader_id=cluster.leader_id if cluster else None),
            "totals": progress.totals(rows, period),
            "query": request.GET.urlencode(),
            "cluster": cluster,
            # the cluster's page, for the users who may open it (an officer: their own clusters)
            "cluster_url": (
                f"{reverse('cluster_detail', args=[cluster.pk])}?{period.query}"
                if cluster is not None and openable else None
            ),
        }


@require_safe
@replica_reads()
def rankings_export(request, fmt: str):
    """The league table as CSV or XLSX, with the filters in force."""
    _check_league(request)
    filterset, period, rows = _league_for(request)
    if filterset.form.errors:
        # A year, date or kind the form cannot read is never dropped into a file of another
        # period: the rankings page of the same query shows what is wrong, on its field.
        return redirect(f"{reverse('rankings')}?{request.GET.urlencode()}")
    kind = filterset.form.cleaned_data.get("kind")
    if fmt == "csv":
        text = io.StringIO()
        exports.write_csv(rows, text, progress.in_force(rows, filterset.indicators))
        response = HttpResponse(text.getvalue(), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        buffer = io.BytesIO()
        exports.write_xlsx(rows, period, kind, buffer, progress.in_force(rows, filterset.indicators))
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404
    name = exports.filename(period, kind, fmt)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class FederationDetailView(CachedContentView):
    """One federation: the two figures as the reports write them, charts and history.

    Cached in two parts: the federation's own content under its own revisions (every part
    of it: its years, records and name), which stays warm while other districts write, and
    its rank in the city under the league's figures of the year and the year before.
    """

    page = "federation"
    template_name = "targets/federation_detail.html"
    replica = True

    def get_shell_context(self) -> dict[str, Any]:
        self.federation = get_object_or_404(
            Federation.objects.visible_to(self.request.user), code=self.kwargs["code"]
        )
        return {"federation": self.federation}

    def parts(self) -> list[Part]:
        user = self.request.user
        return [
            Part("page_content", [Reads((self.federation.pk,)), YEAR_MENU], self.get_content_context,
                 fragments=("head", "tail")),
            Part("rank_content", [Reads(league_federations(user), years_read(self.request.GET))],
                 self.get_rank_context),
        ]

    def _period_filter(self) -> PeriodFilter:
        if not hasattr(self, "_filterset"):
            self._filterset = PeriodFilter(_filter_data(self.request), queryset=Federation.objects.none())
        return self._filterset

    def get_rank_context(self) -> dict[str, Any]:
        period = self._period_filter().period()
        user = self.request.user
        league = Federation.objects.in_league(user)
        # One statement ranks the whole league; every federation's page of the period reads
        # the same standings, computed once per change of the league's figures.
        standings = shared_data(
            f"standings:{int(roles.has_role(user))}:{period.year}:{period.as_of.isoformat()}",
            self.digests["rank_content"],
            lambda: progress.league_standings(league, period),
        )
        return {"standing": standings.get(self.federation.pk, progress.Standing(None, None, None, 0))}

    def get_content_context(self) -> dict[str, Any]:
        request, federation = self.request, self.federation
        filterset = self._period_filter()
        period = filterset.period()
        indicators = progress.indicators_in_force()
        row = progress.federation_progress(federation, period, indicators)
        series = progress.monthly(federation, period)
        sector_labels = dict(Sector.choices)
        sectors = [
            {**item, "label": sector_labels.get(item["sector"], item["sector"])}
            for item in progress.unions_by_sector(federation, period.as_of)
        ]

        unions = with_active_members(
            GrassrootsUnion.objects.visible_to(request.user).filter(federation=federation)
        )
        # On paper the whole list, not the screen's first page: one query, the columns it prints.
        print_unions = unions.only("code", "name", "sector", "founded_on", "status").order_by(
            "name_sort", "code"
        )
        return {
            "filter": filterset,
            "period": period,
            "row": row,
            "series": series,
            "sectors": sectors,
            "sector_total": sum(item["unions"] for item in sectors),
            "sector_members": sum(item["members"] for item in sectors),
            "history": progress.quota_history(federation),
            "indicator_cards": [
                (ind, m) for ind, m in row.shown(indicators) if ind.code not in progress.METRICS
            ],
            "uncovered": largest_uncovered(request.user, federation, period.as_of),
            "union_table": FederationUnionTable(unions, request, prefix="u-"),
            "print_unions": print_unions,
            "charts": {
                "members": charts.cumulative_line(
                    series[Metric.NEW_MEMBERS], row.new_members.target, period
                ),
                "unions": charts.cumulative_line(
                    series[Metric.NEW_UNIONS], row.new_unions.target, period
                ),
                "sectors": charts.sector_bars(sectors),
            },
            "can_edit": Federation.objects.editable_by(request.user).filter(pk=federation.pk).exists(),
        }


class ClusterDetailView(CachedContentView):
    """An emulation cluster: its members side by side on every indicator in force, their
    city rank and rank inside the cluster, the leader marked, and the cluster's totals.

    City staff and administrators open every cluster; an officer the clusters their
    federation belongs to.
    """

    page = "cluster"
    template_name = "targets/cluster_detail.html"
    replica = True

    def get_shell_context(self) -> dict[str, Any]:
        self.cluster = get_object_or_404(
            Cluster.objects.visible_to(self.request.user).select_related("leader"), pk=self.kwargs["pk"]
        )
        return {"cluster": self.cluster}

    def _data(self):
        """The query string; the cluster's own year when none is given."""
        data = self.request.GET.copy()
        if not data.get("year"):
            data["year"] = str(self.cluster.year)
        return data

    def reads(self) -> list[Reads]:
        """The figures of the year and the year before of the whole league (the city rank)."""
        return [Reads(league_federations(self.request.user), (*years_read(self._data()), ITSELF)),
                YEAR_MENU]

    def get_content_context(self) -> dict[str, Any]:
        request, cluster = self.request, self.cluster
        filterset = PeriodFilter(self._data(), queryset=Federation.objects.none())
        period = filterset.period()
        indicators = progress.indicators_in_force()
        league = progress.league(Federation.objects.in_league(request.user), period, indicators)
        rows = progress.in_cluster(league, cluster.member_ids())
        shown = progress.in_force(rows, indicators)
        totals = progress.totals(rows, period)
        linkable = set(Federation.objects.visible_to(request.user).values_list("pk", flat=True))
        return {
            "filter": filterset,
            "period": period,
            "table": RankingTable(rows, request, linkable=linkable, period=period, indicators=shown,
                                  cluster=True, leader_id=cluster.leader_id),
            "totals": [(ind, totals.metrics[ind.code]) for ind in shown],
            "members": len(rows),
            "rankings_url": f"{reverse('rankings')}?{period.query}&cluster={cluster.pk}",
        }


@require_http_methods(["GET", "POST"])
def report_entry(request, code: str):
    """An officer reports the year-to-date figures of their federation for a period.

    Every figure is checked before any is written (one transaction); a figure lower than
    the previous report of the same year is allowed, said so, and kept in the history.
    """
    federation = object_to_edit(
        Federation.objects.visible_to(request.user), Federation.objects.editable_by(request.user), code=code
    )
    year = _report_year(request)
    form = ReportForm(request.POST or None, federation=federation, year=year)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            written = [
                report_set(federation=federation, indicator=ind, as_of=form.cleaned_data["as_of"],
                           value=value, year=year, user=request.user)
                for ind, value in form.reports
            ]
        for ind, result in zip((ind for ind, _value in form.reports), written, strict=True):
            if result.went_down:
                messages.warning(request, _(
                    "“%(name)s” went down from %(before)s to %(after)s since the previous report of "
                    "%(year)s: recorded as a correction, kept in the history and shown to the city staff."
                ) % {"name": ind.name, "before": localize(result.previous_value),
                     "after": localize(result.report.value), "year": year})
        messages.success(request, _("Reported figures saved."))
        return redirect(f"{federation.get_absolute_url()}?year={year}")
    return render(request, "targets/report_form.html", {
        "form": form, "federation": federation, "year": year,
        "title": _("Reported figures of %(year)s") % {"year": year},
        "cancel_url": federation.get_absolute_url(),
    })


@require_http_methods(["GET", "POST"])
def ratings_entry(request, code: str):
    """An officer grades the grassroots unions of their federation for a year (xếp loại CĐCS).

    All the grades of one form are written together or not at all; each change is kept in
    the rating's history with who made it.
    """
    federation = object_to_edit(
        Federation.objects.visible_to(request.user), Federation.objects.editable_by(request.user), code=code
    )
    year = _report_year(request)
    form = RatingsForm(request.POST or None, federation=federation, year=year)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                for union, grade in form.changes:
                    rating_set(union=union, year=year, grade=grade, user=request.user)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Union ratings saved."))
            return redirect(f"{federation.get_absolute_url()}?year={year}")
    return render(request, "targets/ratings_form.html", {
        "form": form, "federation": federation, "year": year,
        "years": range(progress.today().year, 2019, -1),
        "title": _("Grassroots union ratings of %(year)s") % {"year": year},
        "cancel_url": federation.get_absolute_url(),
    })


def _report_year(request) -> int:
    raw = request.GET.get("year", "")
    if raw.isdigit() and len(raw) == 4 and 2000 <= int(raw) <= progress.today().year:
        return int(raw)
    return progress.today().year
