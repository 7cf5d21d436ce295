from django.db import migrations, models

from unionboard import revisions

TABLES = ["branches_federation", "branches_grassrootsunion", *revisions.ACCESS_TABLES]


def install(apps, schema_editor):
    revisions.install(schema_editor.connection, TABLES)
    revisions.revise_all(schema_editor.connection)


def drop(apps, schema_editor):
    revisions.drop(schema_editor.connection, TABLES)


class Migration(migrations.Migration):

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
        ('branches', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='DataRevision',
            fields=[
                ('federation_id', models.BigIntegerField(primary_key=True, serialize=False)),
                ('token', models.BigIntegerField()),
            ],
        ),
        migrations.RunPython(install, drop),
    ]
