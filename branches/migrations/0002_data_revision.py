from django.db import migrations, models

# The triggers this migration installed write to a table that unionboard 0002 replaced;
# branches 0004 installs today's (unionboard.revisions) on a new database.


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
    ]
