from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


def _ensure_groups_after_last_app(app_config, **kwargs) -> None:
    """Create the role groups once every app's permissions exist (after the last app migrates)."""
    from unionboard.roles import ensure_groups

    # post_migrate is sent once per app that has models; the last one comes after every
    # app's permissions were created.
    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if app_config is with_models[-1]:
        ensure_groups(**kwargs)


class UnionboardConfig(AppConfig):
    """The shared base: access, data revisions, the page cache, table and form helpers."""

    name = "unionboard"
    verbose_name = "Unionboard"

    def ready(self) -> None:
        from unionboard import backends  # noqa: F401  (registers the deploy check of the backends)

        post_migrate.connect(_ensure_groups_after_last_app, dispatch_uid="unionboard.ensure_groups")
