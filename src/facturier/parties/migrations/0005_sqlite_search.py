"""On SQLite, a full-text index (FTS5, trigram tokenizer) for the customer search (issue 9).

The search (`parties.selectors.customer_list`, and the customers an invoice search reads first) is a
case-insensitive substring match on name, code, VAT number and city, and a prefix match on the SIREN.
SQLite's LIKE reads every row and folds the case of ASCII letters only; FTS5's trigram tokenizer
answers a substring of three characters or more from its index and folds the case of every letter
(é and É), as PostgreSQL's `upper()` does. The index holds a copy of the searched columns, one row per
customer, keyed by the customer id (`key`: the id as Django stores it on SQLite, 32 hex digits, also
indexed so a trigger finds a customer's row without a scan; rowids are not used: VACUUM may renumber
them). Triggers keep it in the transaction of every insert, update and delete, whatever the code path
(services, imports, bulk updates, the admin). PostgreSQL keeps its trigram indexes (parties 0003).
"""

from django.db import migrations

TABLE = "parties_customer_search"
COLUMNS = ("name", "code", "siren", "vat_number", "city")
_NEW = ", ".join(f"new.{column}" for column in COLUMNS)
_LIST = ", ".join(COLUMNS)
_CHANGED = " OR ".join(f"old.{column} IS NOT new.{column}" for column in ("id", *COLUMNS))
_FORGET = f"""DELETE FROM {TABLE} WHERE {TABLE} MATCH '{{key}} : "' || old.id || '"';"""

CREATE = [
    f"CREATE VIRTUAL TABLE {TABLE} USING fts5(key, {_LIST}, tokenize = 'trigram')",
    f"INSERT INTO {TABLE} (key, {_LIST}) SELECT id, {_LIST} FROM parties_customer",
    f"""CREATE TRIGGER {TABLE}_insert AFTER INSERT ON parties_customer BEGIN
        INSERT INTO {TABLE} (key, {_LIST}) VALUES (new.id, {_NEW}); END""",
    f"""CREATE TRIGGER {TABLE}_update AFTER UPDATE OF id, {_LIST} ON parties_customer
        WHEN {_CHANGED} BEGIN
        {_FORGET}
        INSERT INTO {TABLE} (key, {_LIST}) VALUES (new.id, {_NEW}); END""",
    f"CREATE TRIGGER {TABLE}_delete AFTER DELETE ON parties_customer BEGIN {_FORGET} END",
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
        ("parties", "0004_api_order_index"),
    ]

    operations = [migrations.RunPython(create, drop)]
