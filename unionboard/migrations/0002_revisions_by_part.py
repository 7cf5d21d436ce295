from django.db import migrations, models

from unionboard import revisions


def drop_old_triggers(apps, schema_editor):
    # They write to the old table; SQLite would refuse to rebuild any table while they exist.
    revisions.drop(schema_editor.connection, [*revisions.TABLES, *revisions.ACCESS_TABLES])


def start(apps, schema_editor):
    # Every key moves once; the triggers of the apps' next migrations fill the table.
    revisions.revise_all(schema_editor.connection)


class Migration(migrations.Migration):
    """Revisions keyed by (federation, part): a write revises the year it touches, so a
    page reading other years, or other federations, stays warm (unionboard.revisions).

    The old table, one token per federation, goes; its triggers are replaced by the
    migrations of branches, members and targets that follow this one.
    """

    dependencies = [
        ("unionboard", "0001_initial"),
        ("branches", "0003_move_data_revision"),
        ("members", "0004_data_revision"),
        ("targets", "0002_data_revision"),
    ]

    operations = [
        migrations.RunPython(drop_old_triggers, migrations.RunPython.noop),
        migrations.DeleteModel(name="DataRevision"),
        migrations.CreateModel(
            name="DataRevision",
            fields=[
                ("pk", models.CompositePrimaryKey("federation_id", "year", blank=True, editable=False,
                                                  primary_key=True, serialize=False)),
                ("federation_id", models.BigIntegerField()),
                ("year", models.SmallIntegerField()),
                ("token", models.BigIntegerField()),
            ],
            options={
                "indexes": [models.Index(fields=["year", "federation_id"], name="revision_part_idx")],
            },
        ),
        migrations.RunPython(start, migrations.RunPython.noop),
    ]
