"""Vietnamese formats: Django's, plus the thousands grouping it leaves unset (4.550; 123,2)."""

from django.conf.locale.vi.formats import *  # noqa: F403

NUMBER_GROUPING = 3
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
