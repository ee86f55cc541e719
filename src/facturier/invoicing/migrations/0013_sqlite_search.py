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

from facturier.common.text_search import sqlite_index


class Migration(migrations.Migration):
    dependencies = [
        ("invoicing", "0012_read_aggregates"),
        ("parties", "0005_sqlite_search"),
    ]

    operations = [sqlite_index("invoicing_document_search", "invoicing_document", ("number",))]
