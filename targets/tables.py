"""django-tables2 tables for the dashboards; columns only read what selectors computed."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from branches.models import GrassrootsUnion
from targets.templatetags.progress import progress_cell
from unionboard.columns import DayColumn


class RankingTable(tables.Table):
    """The league table: one row per federation (targets.progress.FederationProgress)."""

    rank = tables.Column(verbose_name=_("Rank"), attrs={"td": {"class": "text-end fw-semibold"}})
    name = tables.Column(verbose_name=_("Federation"), order_by=("federation__name_sort",))
    kind = tables.Column(
        verbose_name=_("Kind"), accessor="federation__get_kind_display",
        order_by=("federation__kind",),
    )
    # data-label: on a phone each row is a card, and a figure's label is written beside it.
    new_members = tables.Column(
        verbose_name=_("New members"), order_by=("new_members__ratio",),
        attrs={"td": {"data-label": _("New members")}},
    )
    new_unions = tables.Column(
        verbose_name=_("New grassroots unions"), order_by=("new_unions__ratio",),
        attrs={"td": {"data-label": _("New grassroots unions")}},
    )
    score = tables.Column(
        verbose_name=_("Score (%)"), accessor="score_pct", order_by=("score",),
        attrs={"td": {"class": "text-end", "data-label": _("Score (%)")}},
    )
    rank_change = tables.Column(
        verbose_name=_("Change since last year"),
        attrs={"td": {"class": "text-center", "data-label": _("Change since last year")}},
    )

    class Meta:
        orderable = True
        attrs = {"class": "table table-sm table-hover align-middle ranking-table table-cards"}
        empty_text = _("No federation has a quota for this year.")

    def __init__(self, *args, linkable: set[int] | frozenset = frozenset(), **kwargs):
        # Only federations the user may open get a link (an officer sees others' totals only).
        self.linkable = linkable
        super().__init__(*args, **kwargs)

    def render_rank(self, value):
        return value if value is not None else "—"

    def render_name(self, value, record):
        if record.federation.pk in self.linkable:
            return format_html(
                '<a href="{}">{}</a>', reverse("federation_detail", args=[record.code]), value
            )
        return value

    def render_new_members(self, value, bound_column):
        return progress_cell(value, bound_column.header)

    def render_new_unions(self, value, bound_column):
        return progress_cell(value, bound_column.header)

    def render_score(self, value):
        from django.utils.formats import number_format

        return number_format(value, 1) if value is not None else "—"

    def render_rank_change(self, value):
        if value is None:
            return "—"
        if value > 0:
            return format_html('<span class="text-success">▲ {}</span>', value)
        if value < 0:
            return format_html('<span class="text-danger">▼ {}</span>', -value)
        return format_html('<span title="{}">=</span>', _("Unchanged"))


class FederationUnionTable(tables.Table):
    """A federation's grassroots unions with their active members (annotated, one query)."""

    code = tables.Column(verbose_name=_("Code"))
    name = tables.Column(verbose_name=_("Name"), order_by=("name_sort", "code"))
    sector = tables.Column(verbose_name=_("Sector"))
    founded_on = DayColumn(verbose_name=_("Founded on"))
    status = tables.Column(verbose_name=_("Status"))
    active_members = tables.Column(
        verbose_name=_("Active members"), attrs={"td": {"class": "text-end"}}
    )

    class Meta:
        model = GrassrootsUnion
        fields = ["code", "name", "sector", "founded_on", "status", "active_members"]
        empty_text = _("No grassroots union yet.")

    def render_name(self, value, record):
        try:
            url = reverse("branches:union_detail", args=[record.code])
        except Exception:  # the union pages may be switched off; the name stays readable
            return value
        return format_html('<a href="{}">{}</a>', url, value)
