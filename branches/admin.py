"""Admin for federations and grassroots unions (every changelist one query for its rows).

A union is founded through branches.services.union_found, and a change of its status in
the admin is held to the same transitions as the officers' event forms.
"""

from django.contrib import admin
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from branches.models import Employer, Federation, GrassrootsUnion
from branches.services import status_change_errors, union_found
from unionboard.admin import SafeAutocompleteMixin
from unionboard.forms import RulesModelForm


@admin.register(Federation)
class FederationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "closed_on"]
    list_filter = ["kind", ("closed_on", admin.EmptyFieldListFilter)]
    search_fields = ["code", "name", "name_search"]
    filter_horizontal = ["officers"]
    prepopulated_fields = {"code": ["name"]}

    def get_queryset(self, request):
        return Federation.objects.visible_to(request.user)


class GrassrootsUnionAdminForm(RulesModelForm):
    """The model's rules (GrassrootsUnion.clean) and, for a stored union, the change of status."""

    def clean(self):
        cleaned = super().clean()
        # Until _post_clean, the instance still holds the stored values: the status it comes from.
        if self.instance.pk is not None and "status" in cleaned:
            errors = status_change_errors(
                before=self.instance, status=cleaned["status"], on=cleaned.get("status_on")
            )
            if errors:
                self.add_error(None, ValidationError(errors.by_field))
        return cleaned


@admin.register(GrassrootsUnion)
class GrassrootsUnionAdmin(SafeAutocompleteMixin, SimpleHistoryAdmin):
    form = GrassrootsUnionAdminForm
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

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)  # the form ran the rules above
        else:
            union_found(union=obj, user=request.user)


@admin.register(Employer)
class EmployerAdmin(SafeAutocompleteMixin, SimpleHistoryAdmin):
    """Employers with their history; the form runs Employer.clean and the unique checks."""

    form = RulesModelForm
    list_display = ["tax_code", "name", "ward", "federation", "sector", "employees", "counted_on", "union"]
    list_select_related = ["federation", "union"]
    list_filter = ["sector", ("union", admin.EmptyFieldListFilter), "federation"]
    search_fields = ["tax_code", "name", "name_search"]
    autocomplete_fields = ["federation", "union"]
    show_full_result_count = False

    def get_queryset(self, request):
        return Employer.objects.visible_to(request.user)
