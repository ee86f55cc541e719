"""Audit events are sealed with a keyed MAC; each records the id of the key that sealed it.

Existing events are resealed with the current key by `invoicing.0007_seal_key_id`, which also owns the
immutability triggers that must be lifted for it.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="key_id",
            field=models.CharField(blank=True, default="", max_length=40),
        ),
    ]
