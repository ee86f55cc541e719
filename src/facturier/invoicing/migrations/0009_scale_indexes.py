"""An index by type (credit notes, deposit invoices: a few % of the documents) and, on PostgreSQL, a
trigram index on the document number for the list and API search (issue 9).

The search (`invoicing.selectors.filtered`) is a case-insensitive substring match on the number OR-ed
with the customers whose name matches (read first through parties' own trigram index): PostgreSQL
combines this index with the customer foreign key's (BitmapOr) instead of reading every document.
SQLite keeps its scan (its LIKE cannot use such an index).
"""

from django.db import migrations, models


def create_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS document_number_trgm ON invoicing_document "
        "USING gin (upper(number) gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS document_number_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("invoicing", "0008_read_indexes"),
        ("parties", "0003_read_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="document",
            index=models.Index(fields=["entity", "kind", "type_code", "issue_date"], name="document_by_type"),
        ),
        migrations.RunPython(create_trigram_index, drop_trigram_index),
    ]
