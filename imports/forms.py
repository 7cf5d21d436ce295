"""The upload form of the spreadsheet import."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from unionboard.forms import MarkedBoundField

KIND_CHOICES = [
    ("members", _("Members")), ("unions", _("Grassroots unions")),
    ("reports", _("Reported figures")), ("ratings", _("Union ratings")), ("employers", _("Employers")),
]


class ImportForm(forms.Form):
    required_css_class = "required"  # the star beside a required field's label (static/css)
    bound_field_class = MarkedBoundField

    kind = forms.ChoiceField(
        label=_("The file holds"), choices=KIND_CHOICES, initial="members", widget=forms.RadioSelect
    )
    # Empty and oversized files get the import's own messages, not the form's.
    file = forms.FileField(
        label=_("File"), allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.tsv,.xlsx"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "CSV (.csv, .txt) or Excel workbook (.xlsx), at most %(size)s and %(rows)s rows."
        ) % {
            "size": filesizeformat(settings.IMPORT_MAX_BYTES),
            "rows": number_format(settings.IMPORT_MAX_ROWS, force_grouping=True),
        }
