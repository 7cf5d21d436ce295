"""The shared base's one table: the data revisions that page caches are keyed on."""

from __future__ import annotations

from django.db import models


class DataRevision(models.Model):
    """A random token per federation, replaced in the same transaction as every write to
    its members, unions, quotas or the federation itself (database triggers, see
    unionboard.revisions). The tokens together fingerprint the data pages are drawn from;
    row 0 (`revisions.ACCESS`) moves with every change to who may see what.
    """

    federation_id = models.BigIntegerField(primary_key=True)
    token = models.BigIntegerField()

    class Meta:
        # The table was created by the branches app; its name, rows and triggers stay.
        db_table = "branches_datarevision"

    def __str__(self) -> str:
        return f"{self.federation_id}: {self.token}"
