from django.db import migrations

from unionboard import revisions


class Migration(migrations.Migration):
    """The revision triggers on federations, unions and access, writing (federation, part) rows."""

    dependencies = [
        ("branches", "0003_move_data_revision"),
        ("unionboard", "0002_revisions_by_part"),
    ]

    operations = [
        revisions.install_operation(
            ["branches_federation", "branches_grassrootsunion", *revisions.ACCESS_TABLES]
        ),
    ]
