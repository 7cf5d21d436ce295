"""The trigram index behind the search for a grassroots union by name or code on PostgreSQL.

It serves the diacritic-free name (`name_search LIKE '%kim lien%'`) and the code as Django
compares it case-insensitively (`UPPER(code) LIKE 'BA-DINH-00%'`): the unions list's
search and the transfer form's city-wide search for the receiving union.
"""

from __future__ import annotations

from unionboard import trigram

NAME = "union_search_trgm_idx"
COLUMNS = "name_search gin_trgm_ops, (UPPER(code::text)) gin_trgm_ops"


def create(connection) -> bool:
    """Create pg_trgm and the index; False where not PostgreSQL or the extension is not allowed."""
    return trigram.create(connection, NAME, "branches_grassrootsunion", COLUMNS)


def exists(connection) -> bool:
    return trigram.exists(connection, NAME)


def drop(connection) -> None:
    trigram.drop(connection, NAME)
