"""Admin for quotas: edit targets in the list; every change kept in the history with its reason.

Every write goes through targets.services.quota_set, the one door for quotas; a quota is
known by its federation, year and metric, which are fixed once it exists. A year is shown
as written (2026), never as a number with a thousands dot (2.026).
"""

from django import forms
from django.contrib import admin
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from targets.models import REASON_MAX_LENGTH, REASON_REQUIRED, Quota
from targets.services import quota_set
from unionboard.admin import SafeAutocompleteMixin
from unionboard.forms import RulesModelForm

# The changelist's one reason field, for every target changed in the list at once.
LIST_REASON_FIELD = "change_reason"


class QuotaForm(RulesModelForm):
    """A quota in the admin's form: the target and why it is set or changed."""

    reason = forms.CharField(
        label=_("Reason for the change"), max_length=REASON_MAX_LENGTH,
        widget=forms.TextInput(attrs={"class": "vTextField"}),
        error_messages={"required": REASON_REQUIRED},
        help_text=_("Kept in the quota's history with your name and the time."),
    )

    def given_reason(self) -> str:
        return self.cleaned_data.get("reason", "")


class QuotaListForm(forms.ModelForm):
    """A row of the changelist: a changed target needs the reason given above the list."""

    def given_reason(self) -> str:
        return " ".join(str(self.data.get(LIST_REASON_FIELD, "")).split())

    def clean(self):
        cleaned = super().clean()
        if self.has_changed() and not self.given_reason():
            self.add_error("target", REASON_REQUIRED)
        return cleaned


@admin.register(Quota)
class QuotaAdmin(SafeAutocompleteMixin, SimpleHistoryAdmin):
    form = QuotaForm
    # The target next to the federation: on a laptop's screen it is in view without scrolling.
    list_display = ["federation", "target", "year_shown", "metric"]
    list_editable = ["target"]
    list_select_related = ["federation"]
    list_filter = ["year", "metric", "federation__kind"]
    search_fields = ["federation__code", "federation__name", "federation__name_search"]
    autocomplete_fields = ["federation"]
    object_history_list_template = "admin/targets/quota/history_list.html"
    # 50 editable rows: a hundred widgets took the page past 200 ms; a year of a city is two pages.
    list_per_page = 50

    @admin.display(description=_("year"), ordering="year")
    def year_shown(self, obj: Quota) -> str:
        return str(obj.year)

    def get_queryset(self, request):
        return Quota.objects.visible_to(request.user)

    def get_readonly_fields(self, request, obj=None):
        return ["federation", "year_shown", "metric"] if obj is not None else []

    def get_fields(self, request, obj=None):
        if obj is not None:
            return ["federation", "year_shown", "metric", "target", "reason"]
        return ["federation", "year", "metric", "target", "reason"]

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
            federation=obj.federation, year=obj.year, metric=obj.metric, target=obj.target,
            reason=form.given_reason(), user=request.user,
        )
        obj.pk = quota.pk
        obj._state.adding = False
