"""Admin for indicators, quotas, reports and ratings; every change kept in the history.

Quotas, reports and ratings are written through targets.services (quota_set, report_set,
rating_set), the one door of each; a quota is known by its federation, year and
indicator, which are fixed once it exists, and every change of it carries a reason. A new
reported indicator needs no code: add it here. A year is shown as written (2026), never
as a number with a thousands dot (2.026).
"""

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from targets.models import (
    REASON_MAX_LENGTH,
    REASON_REQUIRED,
    Cluster,
    ClusterMembership,
    CoverageThreshold,
    FederationRating,
    Indicator,
    Quota,
    Report,
    UnionRating,
)
from targets.services import quota_set, rating_set, report_set
from unionboard.admin import SafeAutocompleteMixin
from unionboard.forms import RulesModelForm

# The changelist's one reason field, for every target changed in the list at once.
LIST_REASON_FIELD = "change_reason"


class QuotaForm(RulesModelForm):
    """A quota in the admin's form: the target (or rate, and weight) and why it is set or changed.

    The weight may be left empty: 1, as every quota weighs unless the scorecard says otherwise.
    """

    weight = forms.DecimalField(required=False, min_value=0, max_digits=5, decimal_places=2,
                                initial=Decimal(1), label=Quota._meta.get_field("weight").verbose_name)

    reason = forms.CharField(
        label=_("Reason for the change"), max_length=REASON_MAX_LENGTH,
        widget=forms.TextInput(attrs={"class": "vTextField"}),
        error_messages={"required": REASON_REQUIRED},
        help_text=_("Kept in the quota's history with your name and the time."),
    )

    def given_reason(self) -> str:
        return self.cleaned_data.get("reason", "")

    def clean_weight(self):
        weight = self.cleaned_data.get("weight")
        return Decimal(1) if weight is None else weight


class QuotaListForm(forms.ModelForm):
    """A row of the changelist: a changed target needs the reason given above the list."""

    def given_reason(self) -> str:
        return " ".join(str(self.data.get(LIST_REASON_FIELD, "")).split())

    def clean(self):
        cleaned = super().clean()
        if self.has_changed() and not self.given_reason():
            self.add_error("target", REASON_REQUIRED)
        return cleaned


class YearShown:
    """A year as written (2026) in lists and read-only fields, not as a number (2.026)."""

    @admin.display(description=_("year"), ordering="year")
    def year_shown(self, obj) -> str:
        return str(obj.year)


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    form = RulesModelForm
    list_display = ["code", "name_vi", "name_en", "unit", "source", "order", "active"]
    list_editable = ["order", "active"]
    list_filter = ["source", "unit", "active"]
    search_fields = ["code", "name_vi", "name_en"]
    history_list_display = ["name_vi", "active"]

    def get_readonly_fields(self, request, obj=None):
        # Quotas and reports name an indicator by its code; how it is counted is fixed.
        return ["code", "source"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False  # retire an indicator (active off): its quotas and reports stay


@admin.register(Quota)
class QuotaAdmin(YearShown, SafeAutocompleteMixin, SimpleHistoryAdmin):
    form = QuotaForm
    # The target next to the federation: on a laptop's screen it is in view without scrolling.
    list_display = ["federation", "target", "year_shown", "metric", "rate", "weight"]
    list_editable = ["target"]
    list_select_related = ["federation", "metric"]
    list_filter = ["year", "metric", "federation__kind"]
    search_fields = ["federation__code", "federation__name", "federation__name_search"]
    autocomplete_fields = ["federation"]
    object_history_list_template = "admin/targets/quota/history_list.html"
    # 50 editable rows: a hundred widgets took the page past 200 ms; a year of a city is two pages.
    list_per_page = 50

    def get_queryset(self, request):
        return Quota.objects.visible_to(request.user)

    def get_readonly_fields(self, request, obj=None):
        return ["federation", "year_shown", "metric"] if obj is not None else []

    def get_fields(self, request, obj=None):
        if obj is not None:
            return ["federation", "year_shown", "metric", "target", "rate", "weight", "reason"]
        return ["federation", "year", "metric", "target", "rate", "weight", "reason"]

    def get_changelist_form(self, request, **kwargs):
        kwargs.setdefault("form", QuotaListForm)
        return super().get_changelist_form(request, **kwargs)

    def changelist_view(self, request, extra_context=None):
        extra_context = {"reason_field": LIST_REASON_FIELD, "reason_max_length": REASON_MAX_LENGTH,
                         **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        """The quota's history, each record with the target it replaced (none for the first)."""
        earlier = history_manager.model.objects.filter(
            **{pk_name: OuterRef(pk_name), "history_date__lt": OuterRef("history_date")}
        ).order_by("-history_date", "-history_id")
        return (
            super().get_history_queryset(request, history_manager, pk_name, object_id)
            .annotate(previous_target=Subquery(earlier.values("target")[:1]))
            .order_by("-history_date", "-history_id")
        )

    def save_model(self, request, obj, form, change):
        quota = quota_set(
            federation=obj.federation, year=obj.year, metric=obj.metric_id, target=obj.target,
            rate=obj.rate, weight=obj.weight, reason=form.given_reason(), user=request.user,
        )
        obj.pk = quota.pk
        obj._state.adding = False


@admin.register(Report)
class ReportAdmin(SafeAutocompleteMixin, SimpleHistoryAdmin):
    form = RulesModelForm
    list_display = ["federation", "indicator", "as_of", "value", "entered_by", "entered_at"]
    list_select_related = ["federation", "indicator", "entered_by"]
    list_filter = ["indicator", "federation__kind"]
    date_hierarchy = "as_of"
    search_fields = ["federation__code", "federation__name", "federation__name_search"]
    autocomplete_fields = ["federation"]
    fields = ["federation", "indicator", "as_of", "value"]
    history_list_display = ["value"]

    def get_queryset(self, request):
        return Report.objects.visible_to(request.user)

    def get_readonly_fields(self, request, obj=None):
        return ["federation", "indicator", "as_of"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        written = report_set(
            federation=obj.federation, indicator=obj.indicator, as_of=obj.as_of, value=obj.value,
            user=request.user,
        )
        obj.pk = written.report.pk
        obj._state.adding = False


@admin.register(UnionRating)
class UnionRatingAdmin(YearShown, SafeAutocompleteMixin, SimpleHistoryAdmin):
    form = RulesModelForm
    list_display = ["union", "year_shown", "grade"]
    list_select_related = ["union"]
    list_filter = ["year", "grade", "union__sector"]
    search_fields = ["union__code", "union__name"]
    autocomplete_fields = ["union"]
    history_list_display = ["grade"]

    def get_queryset(self, request):
        return UnionRating.objects.visible_to(request.user)

    def get_readonly_fields(self, request, obj=None):
        return ["union", "year_shown"] if obj is not None else []

    def get_fields(self, request, obj=None):
        return ["union", "year_shown", "grade"] if obj is not None else ["union", "year", "grade"]

    def save_model(self, request, obj, form, change):
        rating = rating_set(union=obj.union, year=obj.year, grade=obj.grade, user=request.user)
        obj.pk = rating.pk
        obj._state.adding = False


@admin.register(FederationRating)
class FederationRatingAdmin(YearShown, SafeAutocompleteMixin, SimpleHistoryAdmin):
    """The city grades its upper-level unions here (administrators)."""

    form = RulesModelForm
    list_display = ["federation", "year_shown", "grade"]
    list_editable = ["grade"]
    list_select_related = ["federation"]
    list_filter = ["year", "grade", "federation__kind"]
    search_fields = ["federation__code", "federation__name", "federation__name_search"]
    autocomplete_fields = ["federation"]
    history_list_display = ["grade"]

    def get_queryset(self, request):
        return FederationRating.objects.visible_to(request.user)

    def get_readonly_fields(self, request, obj=None):
        return ["federation", "year_shown"] if obj is not None else []

    def get_fields(self, request, obj=None):
        return ["federation", "year_shown", "grade"] if obj is not None else ["federation", "year", "grade"]


@admin.register(CoverageThreshold)
class CoverageThresholdAdmin(YearShown, SimpleHistoryAdmin):
    """The size from which an employer counts for coverage, per year (25 when a year has none)."""

    form = RulesModelForm
    list_display = ["year_shown", "min_employees"]
    history_list_display = ["min_employees"]

    def get_readonly_fields(self, request, obj=None):
        return ["year_shown"] if obj is not None else []

    def get_fields(self, request, obj=None):
        return ["year_shown", "min_employees"] if obj is not None else ["year", "min_employees"]
class ClusterForm(RulesModelForm):
    """The cluster's own fields; its members and leader are checked with the inline's rows."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.members_checked_elsewhere = True


class MembershipFormSet(forms.BaseInlineFormSet):
    """The members as submitted: none twice, none in another cluster of the year, and the
    leader among them (the rules of Cluster, run on the rows of the form)."""

    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        ids: set[int] = set()
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            federation = form.cleaned_data.get("federation")
            if federation is None:
                continue
            if federation.pk in ids:
                raise ValidationError(_("%(federation)s is listed twice.") % {"federation": federation.name})
            ids.add(federation.pk)
        cluster = self.instance
        try:
            cluster.check_members(ids)
            cluster.check_leader(ids)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None


class ClusterMembershipInline(SafeAutocompleteMixin, admin.TabularInline):
    model = ClusterMembership
    formset = MembershipFormSet
    fields = ["federation"]
    autocomplete_fields = ["federation"]
    extra = 6


@admin.register(Cluster)
class ClusterAdmin(YearShown, SafeAutocompleteMixin, SimpleHistoryAdmin):
    """Emulation clusters (cụm thi đua) of a year, their members and leader (administrators)."""

    form = ClusterForm
    inlines = [ClusterMembershipInline]
    list_display = ["name", "year_shown", "leader"]
    list_select_related = ["leader"]
    list_filter = ["year"]
    search_fields = ["name"]
    autocomplete_fields = ["leader"]
    fields = ["name", "year", "leader"]
    history_list_display = ["leader"]
