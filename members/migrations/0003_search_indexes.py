# Search indexes for the members list at a million rows.

from django.db import migrations, models

from members import search_index


def add_trigram_index(apps, schema_editor):
    search_index.create(schema_editor.connection)


def drop_trigram_index(apps, schema_editor):
    search_index.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("branches", "0001_initial"),
        ("members", "0002_admission_tally"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="member",
            index=models.Index(fields=["card_no"], name="member_card_prefix_idx", opclasses=["varchar_pattern_ops"]),
        ),
        migrations.RunPython(add_trigram_index, drop_trigram_index),
    ]
