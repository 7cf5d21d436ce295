"""The shared base's one table: the data revisions that page caches are keyed on."""

from __future__ import annotations

from django.db import models


class DataRevision(models.Model):
    """A random token per (federation, part), replaced in the same transaction as every
    write to what the part covers (database triggers, see unionboard.revisions): a year's
    figures, the federation's records, or the federation itself. A page's cache key holds
    the tokens of the parts it reads; federation 0 holds the city-wide rows (access, the
    years with quotas, the epoch of bulk loads).
    """

    pk = models.CompositePrimaryKey("federation_id", "year")
    federation_id = models.BigIntegerField()
    year = models.SmallIntegerField()  # a year, or revisions.RECORDS / ITSELF
    token = models.BigIntegerField()

    class Meta:
        # The dashboards read one part of every federation (year IN (...)).
        indexes = [models.Index(fields=["year", "federation_id"], name="revision_part_idx")]

    def __str__(self) -> str:
        return f"{self.federation_id}/{self.year}: {self.token}"
