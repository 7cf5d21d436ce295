from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo city (`manage.py load_demo`): generated data that reproduces the seed reports."""

    name = "demo"
    verbose_name = "Demo"

    def ready(self) -> None:
        from demo import checks  # noqa: F401  (registers the deploy check)
