"""Install the database triggers that make issued documents and audit events immutable."""

from django.db import migrations

from facturier.invoicing.immutability import UNKEYED_SEALED_COLUMNS, install


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    install(schema_editor, UNKEYED_SEALED_COLUMNS)


class Migration(migrations.Migration):
    dependencies = [
        ("invoicing", "0001_initial"),
        ("audit", "0001_initial"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
