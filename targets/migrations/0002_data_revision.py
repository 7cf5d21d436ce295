from django.db import migrations

from unionboard import revisions


class Migration(migrations.Migration):

    dependencies = [
        ('branches', '0002_data_revision'),
        ('targets', '0001_initial'),
    ]

    operations = [
        revisions.install_operation(["targets_quota"]),
    ]
