from django.apps import AppConfig


class ImportsConfig(AppConfig):
    """Spreadsheet imports of federations, unions, members and quotas (browser and command)."""

    name = "imports"
    verbose_name = "Spreadsheet imports"
