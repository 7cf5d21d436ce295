"""Admin pieces the apps share: an autocomplete widget that survives any value it is given."""

from __future__ import annotations

from django.contrib.admin.widgets import AutocompleteSelect

from unionboard.forms import fits_column


class KnownIdsAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete select, which shows only values that can be ids of its model.

    It looks the selected value up to print its label. Given a value that is no id at all
    (`?federation=abc` on an add page, or a form posted back with its errors) that lookup
    raised, and the page answered 500; now such a value is simply not shown, and the form
    field says it is not a valid choice.
    """

    def optgroups(self, name, value, attrs=None):
        target = self.field.remote_field.model._meta.get_field(self.field.remote_field.field_name)
        return super().optgroups(name, [item for item in value if fits_column(target, item)], attrs)


class SafeAutocompleteMixin:
    """For a ModelAdmin: its `autocomplete_fields` use KnownIdsAutocompleteSelect."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            using = kwargs.get("using")
            kwargs["widget"] = KnownIdsAutocompleteSelect(db_field, self.admin_site, using=using)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
