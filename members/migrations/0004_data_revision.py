from django.db import migrations

# The triggers this migration installed write to a table that unionboard 0002 replaced;
# members 0005 installs today's (unionboard.revisions) on a new database.


class Migration(migrations.Migration):

    dependencies = [
        ('branches', '0002_data_revision'),
        ('members', '0003_search_indexes'),
    ]

    operations: list = []
