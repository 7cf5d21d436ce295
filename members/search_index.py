"""The trigram index behind the members' name search on PostgreSQL (LIKE '%nguyen thi%')."""

from __future__ import annotations

from unionboard import trigram

NAME = "member_name_trgm_idx"


def create(connection) -> bool:
    """Create pg_trgm and the index; False where not PostgreSQL or the extension is not allowed.

    Without it the search still works, by scanning.
    """
    return trigram.create(connection, NAME, "members_member", "name_search gin_trgm_ops")


def exists(connection) -> bool:
    return trigram.exists(connection, NAME)


def drop(connection) -> None:
    trigram.drop(connection, NAME)
