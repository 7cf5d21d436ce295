"""The dashboards' tables; columns only read what selectors computed."""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from branches.models import GrassrootsUnion
from targets.cells import figure_cell, progress_cell
from targets.models import Indicator
from targets.progress import FederationProgress, Period
from unionboard.tables import Column, Table, day, link

NEW_MEMBERS, NEW_UNIONS = _("New members"), _("New grassroots unions")


def _score(row: FederationProgress) -> str | None:
    return number_format(row.score_pct, 1) if row.score_pct is not None else None


def _rank_change(row: FederationProgress) -> Any:
    change = row.rank_change
    if change is None:
        return None
    if change > 0:
        return format_html('<span class="text-success">▲ {}</span>', change)
    if change < 0:
        return format_html('<span class="text-danger">▼ {}</span>', -change)
    return format_html('<span title="{}">=</span>', _("Unchanged"))


class RankingTable(Table):
    """The league table: one row per federation (targets.progress.FederationProgress)."""

    columns = {
        "rank": Column(_("Rank"), attrgetter("rank"), td_class="fw-semibold text-end"),
        "cluster_rank": Column(_("In-cluster rank"), attrgetter("cluster_rank"),
                               td_class="fw-semibold text-end", label_cells=True),
        "name": Column(_("Federation"), "federation_name", order_by=("federation.name_sort",)),
        "kind": Column(
            _("Kind"), lambda row: row.federation.get_kind_display(), order_by=("federation.kind",)
        ),
        # the progress bar is labelled with its column's header, for screen readers
        "new_members": Column(
            NEW_MEMBERS, lambda row: progress_cell(row.new_members, NEW_MEMBERS),
            order_by=("new_members.ratio",), label_cells=True,
        ),
        "new_unions": Column(
            NEW_UNIONS, lambda row: progress_cell(row.new_unions, NEW_UNIONS),
            order_by=("new_unions.ratio",), label_cells=True,
        ),
        "score": Column(_("Score (%)"), _score, order_by=("score",), td_class="text-end", label_cells=True),
        "rank_change": Column(
            _("Change since last year"), _rank_change, td_class="text-center", label_cells=True
        ),
    }
    # On a phone each row is a card, and a figure's label is written beside it (label_cells).
    css_class = "table table-sm table-hover align-middle ranking-table table-cards"
    empty_text = _("No federation has a quota for this year.")
    per_page = 100  # a city's 45 federations fit one page; a country's hundreds are paged, ranks kept

    def __init__(
        self, rows: list[FederationProgress], request: HttpRequest, *, linkable: set[int], period: Period,
        indicators: list[Indicator] | None = None, cluster: bool = False, leader_id: int | None = None,
    ):
        # Only federations the user may open get a link (an officer sees others' totals only).
        self.linkable = linkable
        self.period = period
        self.leader_id = leader_id
        # The rank inside an emulation cluster stands beside the city rank when one is shown.
        ranks = ("rank", "cluster_rank") if cluster else ("rank",)
        if cluster:
            self.css_class = f"{RankingTable.css_class} with-cluster-rank"  # type: ignore[misc]
        if indicators is None:
            self.columns = {  # type: ignore[misc]  # this table's own columns
                name: self.columns[name]
                for name in (*ranks, "name", "kind", "new_members", "new_unions", "score", "rank_change")
            }
        else:
            # The indicators chosen by the filter, in place of the membership two.
            self.columns = {  # type: ignore[misc]  # this table's own columns
                **{name: self.columns[name] for name in (*ranks, "name", "kind")},
                **{ind.code: self._indicator_column(ind) for ind in indicators},
                **{name: self.columns[name] for name in ("score", "rank_change")},
            }
        super().__init__(rows, request)

    def _indicator_column(self, indicator: Indicator) -> Column:
        if indicator.code in self.columns:
            return self.columns[indicator.code]
        return Column(
            indicator.name, lambda row: figure_cell(row.metrics[indicator.code], indicator),
            order_by=(f"figures.{indicator.code}.ratio",), label_cells=True,
        )

    def federation_name(self, row: FederationProgress) -> Any:
        """The federation's page of the same period: Sơn Tây of 2020 opens on 2020."""
        name: Any = row.name
        if row.federation.pk in self.linkable:
            name = link(f"{row.federation.get_absolute_url()}?{self.period.query}", row.name)
        if self.leader_id is not None and row.federation.pk == self.leader_id:
            return format_html('{} <span class="badge text-bg-primary">{}</span>', name, _("leading"))
        return name


def _union_name(union: GrassrootsUnion) -> Any:
    try:
        return link(reverse("branches:union_detail", args=[union.code]), union.name)
    except NoReverseMatch:  # the union pages may be switched off; the name stays readable
        return union.name


class FederationUnionTable(Table):
    """A federation's grassroots unions with their active members (annotated, one query)."""

    columns = {
        "code": Column(_("Code"), attrgetter("code")),
        "name": Column(_("Name"), _union_name, order_by=("name_sort", "code")),
        "sector": Column(_("Sector"), lambda union: union.get_sector_display()),
        "founded_on": Column(_("Founded on"), lambda union: day(union.founded_on)),
        "status": Column(_("Status"), lambda union: union.get_status_display()),
        "active_members": Column(_("Active members"), attrgetter("active_members"), td_class="text-end"),
    }
    empty_text = _("No grassroots union yet.")
    per_page = 20
