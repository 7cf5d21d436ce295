"""Admin for quotas: edit targets in the list; every change kept in the history.

Every write goes through targets.services.quota_set, the one door for quotas; a quota is
known by its federation, year and metric, which are fixed once it exists.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from targets.models import Quota
from targets.services import quota_set
from unionboard.admin import SafeAutocompleteMixin
from unionboard.forms import RulesModelForm


@admin.register(Quota)
class QuotaAdmin(SafeAutocompleteMixin, SimpleHistoryAdmin):
    form = RulesModelForm
    list_display = ["federation", "year", "metric", "target"]
    list_editable = ["target"]
    list_select_related = ["federation"]
    list_filter = ["year", "metric", "federation__kind"]
    search_fields = ["federation__code", "federation__name", "federation__name_search"]
    autocomplete_fields = ["federation"]
    history_list_display = ["target"]
    # 50 editable rows: a hundred widgets took the page past 200 ms; a year of a city is two pages.
    list_per_page = 50

    def get_queryset(self, request):
        return Quota.objects.visible_to(request.user)

    def get_readonly_fields(self, request, obj=None):
        return ["federation", "year", "metric"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        quota = quota_set(
            federation=obj.federation, year=obj.year, metric=obj.metric, target=obj.target, user=request.user
        )
        obj.pk = quota.pk
        obj._state.adding = False
