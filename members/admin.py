"""Admin for members and transfers, usable at a million members."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from members.models import Member, Transfer
from unionboard.admin import SafeAutocompleteMixin
from unionboard.paginators import BoundedCountPaginator


@admin.register(Member)
class MemberAdmin(SafeAutocompleteMixin, SimpleHistoryAdmin):
    list_display = [
        "card_no", "full_name", "gender", "union", "admitted_on", "admitted_federation",
        "status", "left_on",
    ]
    list_select_related = ["union", "admitted_federation"]
    list_filter = ["status", "gender", "admitted_federation__kind"]
    search_fields = ["=card_no", "name_search"]
    autocomplete_fields = ["union", "admitted_federation"]
    readonly_fields = ["admitted_federation"]
    show_full_result_count = False
    paginator = BoundedCountPaginator
    list_per_page = 50
    ordering = ["-admitted_on", "-id"]

    def get_queryset(self, request):
        return Member.objects.visible_to(request.user)

    def get_search_results(self, request, queryset, search_term):
        from unionboard.text import fold

        return super().get_search_results(request, queryset, fold(search_term))


@admin.register(Transfer)
class TransferAdmin(SafeAutocompleteMixin, admin.ModelAdmin):
    list_display = ["member", "from_union", "to_union", "transferred_on", "recorded_by"]
    list_select_related = ["member", "from_union", "to_union", "recorded_by"]
    autocomplete_fields = ["member", "from_union", "to_union"]
    date_hierarchy = "transferred_on"
    show_full_result_count = False
    paginator = BoundedCountPaginator

    def get_queryset(self, request):
        return Transfer.objects.visible_to(request.user)
