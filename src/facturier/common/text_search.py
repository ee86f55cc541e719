"""Substring search through SQLite's FTS5 trigram indexes (parties 0005, invoicing 0013).

On SQLite a case-insensitive `LIKE '%term%'` reads every row and folds the case of ASCII letters only.
The trigram indexes answer a substring of at least three characters from the index and fold the case
of every letter (é and É), as PostgreSQL's `upper(column) LIKE upper('%term%')` over its trigram
indexes does, so both backends find the same rows. A shorter term cannot be looked up by trigrams:
callers fall back to their `icontains` filter (on SQLite, ASCII case folding only).
"""

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

TRIGRAM = 3  # the shortest substring a trigram index can look up


def indexed_on_sqlite(term: str) -> bool:
    """Whether `term` is looked up through the FTS5 trigram indexes (SQLite, three characters or more)."""
    return connection.vendor == "sqlite" and len(term) >= TRIGRAM


def phrase(term: str) -> str:
    """`term` as one FTS5 phrase: a substring, whatever characters it holds."""
    return '"' + term.replace('"', '""') + '"'


def matching(table: str, query: str, field: str = "pk") -> Q:
    """`field` is one of the keys (ids) that the FTS5 query `query` finds in the index `table`."""
    sql = f"SELECT key FROM {table} WHERE {table} MATCH %s"  # noqa: S608 - the table is ours, the query a parameter
    return Q(**{f"{field}__in": RawSQL(sql, [query])})  # noqa: S611
