"""Substring search through SQLite's FTS5 trigram indexes (parties 0005, invoicing 0013).

On SQLite a case-insensitive `LIKE '%term%'` reads every row and folds the case of ASCII letters only.
The trigram indexes answer a substring of at least three characters from the index and fold the case
of every letter (é and É), as PostgreSQL's `upper(column) LIKE upper('%term%')` over its trigram
indexes does, so both backends find the same rows. A shorter term cannot be looked up by trigrams:
callers fall back to their `icontains` filter (on SQLite, ASCII case folding only).
"""

from typing import Any

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


def matching(table: str, query: str, field: str = "pk", *, few: int = 200) -> Q:
    """`field` is one of the keys (ids) that the FTS5 query `query` finds in the index `table`.

    The keys are read first, at most `few` + 1: when they are few they are given as a list, so SQLite
    looks each row up by its key instead of reading a whole list in its order and testing every row
    against the sub-query (it prefers that plan whenever the list is ordered and limited: 170 ms for one
    customer among 100,000). A common term (more keys) stays a sub-query, read in the list's order.
    """
    sql = f"SELECT key FROM {table} WHERE {table} MATCH %s"  # noqa: S608 - the table is ours, the query a parameter
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} LIMIT %s", [query, few + 1])
        keys = [key for (key,) in cursor.fetchall()]
    if len(keys) <= few:
        return Q(**{f"{field}__in": keys})
    return Q(**{f"{field}__in": RawSQL(sql, [query])})  # noqa: S611


def sqlite_index(table: str, source: str, columns: tuple[str, ...]) -> Any:
    """The migration operation that creates (and, reversed, drops) on SQLite the FTS5 trigram index
    `table` over `columns` of `source`, filled from its rows and kept by triggers in the transaction of
    every insert, change of a searched column and delete, whatever the code path. One row per source
    row, keyed by its id (`key`, also indexed, so a trigger finds its row by MATCH rather than a scan;
    rowids are not used: VACUUM may renumber them). Nothing happens on PostgreSQL (trigram indexes)."""
    from django.db import migrations

    listed = ", ".join(columns)
    new = ", ".join(f"new.{column}" for column in columns)
    changed = " OR ".join(f"old.{column} IS NOT new.{column}" for column in ("id", *columns))
    # S608: the names are the migrations' own constants, never input
    forget = f"""DELETE FROM {table} WHERE {table} MATCH '{{key}} : "' || old.id || '"';"""  # noqa: S608
    create_sql = [
        f"CREATE VIRTUAL TABLE {table} USING fts5(key, {listed}, tokenize = 'trigram')",
        f"INSERT INTO {table} (key, {listed}) SELECT id, {listed} FROM {source}",  # noqa: S608
        f"""CREATE TRIGGER {table}_insert AFTER INSERT ON {source} BEGIN
        INSERT INTO {table} (key, {listed}) VALUES (new.id, {new}); END""",  # noqa: S608
        f"""CREATE TRIGGER {table}_update AFTER UPDATE OF id, {listed} ON {source}
        WHEN {changed} BEGIN
        {forget}
        INSERT INTO {table} (key, {listed}) VALUES (new.id, {new}); END""",  # noqa: S608
        f"CREATE TRIGGER {table}_delete AFTER DELETE ON {source} BEGIN {forget} END",
    ]
    drop_sql = [f"DROP TRIGGER IF EXISTS {table}_{event}" for event in ("insert", "update", "delete")]
    drop_sql.append(f"DROP TABLE IF EXISTS {table}")

    def run(statements: list[str]) -> Any:
        def apply(apps: Any, schema_editor: Any) -> None:
            if schema_editor.connection.vendor == "sqlite":
                for sql in statements:
                    schema_editor.execute(sql)

        return apply

    return migrations.RunPython(run(create_sql), run(drop_sql))
