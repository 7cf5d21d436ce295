from django.db import migrations

from branches import revisions

TABLES = ["members_member"]


def install(apps, schema_editor):
    revisions.install(schema_editor.connection, TABLES)


def drop(apps, schema_editor):
    revisions.drop(schema_editor.connection, TABLES)


class Migration(migrations.Migration):

    dependencies = [
        ('branches', '0002_data_revision'),
        ('members', '0003_search_indexes'),
    ]

    operations = [
        migrations.RunPython(install, drop),
    ]
