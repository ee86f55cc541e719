"""Documents carry a cost centre (the approval rules by cost centre, the accountants' analytic split).

Like the sealed columns, it may not change once the document is issued: the immutability triggers now
name it too (immutability.FROZEN_COLUMNS). It is not part of the seal, so that older seals still verify.
SQLite rebuilds a table to add a column: the triggers are dropped for the change and installed again.
"""

from django.db import migrations, models

from facturier.invoicing.immutability import FROZEN_COLUMNS, SEALED_COLUMNS, install, uninstall


def drop_triggers(apps, schema_editor):  # type: ignore[no-untyped-def]
    uninstall(schema_editor)


def install_frozen(apps, schema_editor):  # type: ignore[no-untyped-def]
    install(schema_editor, FROZEN_COLUMNS)


def install_sealed(apps, schema_editor):  # type: ignore[no-untyped-def]
    install(schema_editor, SEALED_COLUMNS)


class Migration(migrations.Migration):
    dependencies = [
        ("invoicing", "0010_line_price_rule"),
    ]

    operations = [
        migrations.RunPython(drop_triggers, install_sealed),
        migrations.AddField(
            model_name="document",
            name="cost_centre",
            field=models.CharField(blank=True, max_length=40, verbose_name="cost centre"),
        ),
        migrations.RunPython(install_frozen, drop_triggers),
    ]
