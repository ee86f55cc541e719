"""Each line records where its price and discount came from (pricing rules, the catalog or typed by
hand); a draft may carry a promotion code. Older lines keep empty values (their origin is unknown).

SQLite rebuilds a table to add a column: the immutability triggers, which name the document table,
are dropped for the change and installed again, as in 0007.
"""

from django.db import migrations, models

from facturier.invoicing.immutability import SEALED_COLUMNS, install, uninstall


def drop_triggers(apps, schema_editor):  # type: ignore[no-untyped-def]
    uninstall(schema_editor)


def install_triggers(apps, schema_editor):  # type: ignore[no-untyped-def]
    install(schema_editor, SEALED_COLUMNS)  # the columns of that time (0011 adds cost_centre)


class Migration(migrations.Migration):
    dependencies = [
        ("invoicing", "0009_scale_indexes"),
    ]

    operations = [
        migrations.RunPython(drop_triggers, install_triggers),
        migrations.AddField(
            model_name="document",
            name="promotion_code",
            field=models.CharField(blank=True, max_length=40, verbose_name="promotion code"),
        ),
        migrations.AddField(
            model_name="line",
            name="discount_rule",
            field=models.CharField(blank=True, max_length=200, verbose_name="discount rule"),
        ),
        migrations.AddField(
            model_name="line",
            name="price_rule",
            field=models.CharField(blank=True, max_length=200, verbose_name="price rule"),
        ),
        migrations.AddField(
            model_name="line",
            name="price_source",
            field=models.CharField(blank=True, max_length=20, verbose_name="price from"),
        ),
        migrations.RunPython(install_triggers, drop_triggers),
    ]
