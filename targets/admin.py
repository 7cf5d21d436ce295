"""Admin for indicators, quotas, reports and union ratings; every change kept in the history.

Quotas, reports and ratings are written through targets.services (quota_set, report_set,
rating_set), the one door of each; a quota is known by its federation, year and
indicator, which are fixed once it exists. A new reported indicator needs no code: add it here.
"""

from decimal import Decimal

from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from targets.models import FederationRating, Indicator, Quota, Report, UnionRating
from targets.services import quota_set, rating_set, report_set
from unionboard.admin import SafeAutocompleteMixin
from unionboard.forms import RulesModelForm


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


class QuotaAdminForm(RulesModelForm):
    """The weight may be left empty: 1, as every quota weighs unless the scorecard says otherwise."""

    weight = forms.DecimalField(required=False, min_value=0, max_digits=5, decimal_places=2,
                                initial=Decimal(1), label=Quota._meta.get_field("weight").verbose_name)

    class Meta:
        model = Quota
        fields = "__all__"

    def clean_weight(self):
        weight = self.cleaned_data.get("weight")
        return Decimal(1) if weight is None else weight


@admin.register(Quota)
class QuotaAdmin(SafeAutocompleteMixin, SimpleHistoryAdmin):
    form = QuotaAdminForm
    list_display = ["federation", "year", "metric", "target", "rate", "weight"]
    list_editable = ["target"]
    list_select_related = ["federation", "metric"]
    list_filter = ["year", "metric", "federation__kind"]
    search_fields = ["federation__code", "federation__name", "federation__name_search"]
    autocomplete_fields = ["federation"]
    history_list_display = ["target", "rate", "weight"]
    # 50 editable rows: a hundred widgets took the page past 200 ms; a year of a city is two pages.
    list_per_page = 50

    def get_queryset(self, request):
        return Quota.objects.visible_to(request.user)

    def get_readonly_fields(self, request, obj=None):
        return ["federation", "year", "metric"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        quota = quota_set(
            federation=obj.federation, year=obj.year, metric=obj.metric_id, target=obj.target,
            rate=obj.rate, weight=obj.weight, user=request.user,
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
class UnionRatingAdmin(SafeAutocompleteMixin, SimpleHistoryAdmin):
    form = RulesModelForm
    list_display = ["union", "year", "grade"]
    list_select_related = ["union"]
    list_filter = ["year", "grade", "union__sector"]
    search_fields = ["union__code", "union__name"]
    autocomplete_fields = ["union"]
    history_list_display = ["grade"]

    def get_queryset(self, request):
        return UnionRating.objects.visible_to(request.user)

    def get_readonly_fields(self, request, obj=None):
        return ["union", "year"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        rating = rating_set(union=obj.union, year=obj.year, grade=obj.grade, user=request.user)
        obj.pk = rating.pk
        obj._state.adding = False


@admin.register(FederationRating)
class FederationRatingAdmin(SafeAutocompleteMixin, SimpleHistoryAdmin):
    """The city grades its upper-level unions here (administrators)."""

    form = RulesModelForm
    list_display = ["federation", "year", "grade"]
    list_editable = ["grade"]
    list_select_related = ["federation"]
    list_filter = ["year", "grade", "federation__kind"]
    search_fields = ["federation__code", "federation__name", "federation__name_search"]
    autocomplete_fields = ["federation"]
    history_list_display = ["grade"]

    def get_queryset(self, request):
        return FederationRating.objects.visible_to(request.user)

    def get_readonly_fields(self, request, obj=None):
        return ["federation", "year"] if obj is not None else []
