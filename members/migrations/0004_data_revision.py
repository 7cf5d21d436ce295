from django.db import migrations

from unionboard import revisions


class Migration(migrations.Migration):

    dependencies = [
        ('branches', '0002_data_revision'),
        ('members', '0003_search_indexes'),
    ]

    operations = [
        revisions.install_operation(["members_member"]),
    ]
