from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    name = "targets"
    verbose_name = _("Quotas and progress")

    def ready(self) -> None:
        from unionboard.roles import ensure_groups

        # targets is the last app migrated, so every permission the groups name exists.
        post_migrate.connect(ensure_groups, sender=self, dispatch_uid="unionboard.ensure_groups")
