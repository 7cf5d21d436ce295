from django.db import migrations

from branches import revisions

TABLES = ["targets_quota"]


def install(apps, schema_editor):
    revisions.install(schema_editor.connection, TABLES)


def drop(apps, schema_editor):
    revisions.drop(schema_editor.connection, TABLES)


class Migration(migrations.Migration):

    dependencies = [
        ('branches', '0002_data_revision'),
        ('targets', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(install, drop),
    ]
