from django.db import migrations

from unionboard import revisions


class Migration(migrations.Migration):
    """The revision triggers on quotas, writing (federation, year) rows."""

    dependencies = [
        ("targets", "0002_data_revision"),
        ("unionboard", "0002_revisions_by_part"),
    ]

    operations = [
        revisions.install_operation(["targets_quota"]),
    ]
