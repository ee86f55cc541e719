"""On SQLite, a full-text index (FTS5, trigram tokenizer) on the document number (issue 9).

The list and API search (`invoicing.selectors.filtered`) is a case-insensitive substring match on the
number, OR-ed with the customers whose name matches (parties 0005 on SQLite). SQLite's LIKE reads every
document; FTS5's trigram tokenizer answers a substring of three characters or more from its index. One
row per document, keyed by the document id (`key`, 32 hex digits as Django stores a UUID on SQLite,
indexed too so a trigger finds the row without a scan; rowids are not used: VACUUM may renumber them),
kept by triggers in the transaction of every insert, number change and delete. PostgreSQL keeps its
trigram index (invoicing 0009).
"""

from django.db import migrations

TABLE = "invoicing_document_search"
_FORGET = f"""DELETE FROM {TABLE} WHERE {TABLE} MATCH '{{key}} : "' || old.id || '"';"""

CREATE = [
    f"CREATE VIRTUAL TABLE {TABLE} USING fts5(key, number, tokenize = 'trigram')",
    f"INSERT INTO {TABLE} (key, number) SELECT id, number FROM invoicing_document",
    f"""CREATE TRIGGER {TABLE}_insert AFTER INSERT ON invoicing_document BEGIN
        INSERT INTO {TABLE} (key, number) VALUES (new.id, new.number); END""",
    f"""CREATE TRIGGER {TABLE}_update AFTER UPDATE OF id, number ON invoicing_document
        WHEN old.id IS NOT new.id OR old.number IS NOT new.number BEGIN
        {_FORGET}
        INSERT INTO {TABLE} (key, number) VALUES (new.id, new.number); END""",
    f"CREATE TRIGGER {TABLE}_delete AFTER DELETE ON invoicing_document BEGIN {_FORGET} END",
]
DROP = [f"DROP TRIGGER IF EXISTS {TABLE}_{event}" for event in ("insert", "update", "delete")] + [
    f"DROP TABLE IF EXISTS {TABLE}"
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in CREATE:
            schema_editor.execute(sql)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in DROP:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("invoicing", "0012_read_aggregates"),
        ("parties", "0005_sqlite_search"),
    ]

    operations = [migrations.RunPython(create, drop)]
