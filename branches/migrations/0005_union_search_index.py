# The trigram index for finding a union by part of its name or code (PostgreSQL).

from django.db import migrations

from branches import search_index


def add_trigram_index(apps, schema_editor):
    search_index.create(schema_editor.connection)


def drop_trigram_index(apps, schema_editor):
    search_index.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("branches", "0004_revisions_by_part"),
    ]

    operations = [
        migrations.RunPython(add_trigram_index, drop_trigram_index),
    ]
