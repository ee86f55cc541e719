"""Indexes for the customer list (by name) and, on PostgreSQL, trigram indexes for its free-text search.

The search (`parties.selectors.customer_list`) is a case-insensitive substring match OR-ed over name,
code, SIREN, VAT number and city: PostgreSQL combines one trigram index per column (BitmapOr) instead of
reading every customer. SQLite keeps its table scan (its LIKE cannot use such an index).
"""

from django.db import migrations, models

TRIGRAM_COLUMNS = {"name": "upper(name)", "code": "upper(code)", "siren": "siren",
                   "vat": "upper(vat_number)", "city": "upper(city)"}  # fmt: skip


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expression in TRIGRAM_COLUMNS.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS customer_{name}_trgm ON parties_customer "
            f"USING gin ({expression} gin_trgm_ops)"
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS customer_{name}_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_two_factor_policy"),
        ("parties", "0002_supplier"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(fields=["entity", "name"], name="customer_by_name"),
        ),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
    ]
