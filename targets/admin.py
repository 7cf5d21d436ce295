"""Admin for quotas: edit targets in the list; every change kept in the history."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from targets.models import Quota
from unionboard.admin import SafeAutocompleteMixin


@admin.register(Quota)
class QuotaAdmin(SafeAutocompleteMixin, SimpleHistoryAdmin):
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
