from django.db import migrations, models


class Migration(migrations.Migration):
    """DataRevision moves here from branches: state only, the table stays as it is."""

    initial = True

    dependencies = [
        ("branches", "0002_data_revision"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DataRevision",
                    fields=[
                        ("federation_id", models.BigIntegerField(primary_key=True, serialize=False)),
                        ("token", models.BigIntegerField()),
                    ],
                    options={"db_table": "branches_datarevision"},
                ),
            ],
            database_operations=[],
        ),
    ]
