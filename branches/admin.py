"""Admin for federations and grassroots unions (every changelist one query for its rows)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from branches.models import Federation, GrassrootsUnion
from unionboard.admin import SafeAutocompleteMixin


@admin.register(Federation)
class FederationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "closed_on"]
    list_filter = ["kind", ("closed_on", admin.EmptyFieldListFilter)]
    search_fields = ["code", "name", "name_search"]
    filter_horizontal = ["officers"]
    prepopulated_fields = {"code": ["name"]}

    def get_queryset(self, request):
        return Federation.objects.visible_to(request.user)


@admin.register(GrassrootsUnion)
class GrassrootsUnionAdmin(SafeAutocompleteMixin, SimpleHistoryAdmin):
    list_display = [
        "code", "name", "federation", "founding_federation", "sector", "founded_on",
        "status", "status_on", "employees",
    ]
    list_select_related = ["federation", "founding_federation"]
    list_filter = ["status", "sector", "federation__kind", "federation"]
    search_fields = ["code", "name", "name_search"]
    autocomplete_fields = ["federation", "founding_federation"]
    date_hierarchy = "founded_on"
    show_full_result_count = False

    def get_queryset(self, request):
        return GrassrootsUnion.objects.visible_to(request.user)
