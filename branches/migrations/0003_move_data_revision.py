from django.db import migrations


class Migration(migrations.Migration):
    """DataRevision now belongs to the unionboard app; its table stays (state only)."""

    dependencies = [
        ("branches", "0002_data_revision"),
        ("unionboard", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="DataRevision")],
            database_operations=[],
        ),
    ]
