"""Admin for members and transfers, usable at a million members.

Admissions and transfers go through members.services like the officers' forms, so the
admin is held to the same rules (Member.clean, Transfer.clean) and the same locks; a
member changes union only by a transfer, here too.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from members import services
from members.models import Member, Transfer
from unionboard.admin import SafeAutocompleteMixin
from unionboard.forms import RulesModelForm
from unionboard.paginators import BoundedCountPaginator


@admin.register(Member)
class MemberAdmin(SafeAutocompleteMixin, SimpleHistoryAdmin):
    form = RulesModelForm
    list_display = [
        "card_no", "full_name", "gender", "union", "admitted_on", "admitted_federation",
        "status", "left_on", "left_reason",
    ]
    list_select_related = ["union", "admitted_federation"]
    list_filter = ["status", "left_reason", "gender", "admitted_federation__kind"]
    search_fields = ["=card_no", "name_search"]
    autocomplete_fields = ["union", "admitted_federation"]
    readonly_fields = ["admitted_federation"]
    show_full_result_count = False
    paginator = BoundedCountPaginator
    list_per_page = 50
    ordering = ["-admitted_on", "-id"]

    def get_queryset(self, request):
        return Member.objects.visible_to(request.user)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return [*self.readonly_fields, "union"]  # a move is a transfer, recorded as one
        return self.readonly_fields

    def get_search_results(self, request, queryset, search_term):
        from unionboard.text import fold

        return super().get_search_results(request, queryset, fold(search_term))

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)  # a correction: the form ran Member.clean
        else:
            services.member_admit(member=obj, user=request.user)


@admin.register(Transfer)
class TransferAdmin(SafeAutocompleteMixin, admin.ModelAdmin):
    """Transfers are recorded through member_transfer (the member moves with it) and then kept as they are."""

    form = RulesModelForm
    list_display = ["member", "from_union", "to_union", "transferred_on", "recorded_by"]
    list_select_related = ["member", "from_union", "to_union", "recorded_by"]
    autocomplete_fields = ["member", "from_union", "to_union"]
    date_hierarchy = "transferred_on"
    show_full_result_count = False
    paginator = BoundedCountPaginator

    def get_queryset(self, request):
        return Transfer.objects.visible_to(request.user)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["member", "to_union", "transferred_on"]  # from: the member's present union
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:  # a later transfer corrects a wrong one; history is not rewritten
            return [field.name for field in Transfer._meta.fields if field.name != "id"]
        return []

    def save_model(self, request, obj, form, change):
        if change:
            return
        transfer = services.member_transfer(
            member=obj.member, to_union=obj.to_union, transferred_on=obj.transferred_on, user=request.user
        )
        obj.pk, obj.from_union_id, obj.recorded_by = transfer.pk, transfer.from_union_id, transfer.recorded_by
        obj._state.adding = False
