"""Documents are sealed with a keyed MAC; each records the id of the key that sealed it.

Seals made before keys existed (plain SHA-256 chains) are checked and, where the chain is intact,
resealed with the current seal key, in chain order; the part of a chain from its first broken link on is
left as it was, so `audit verify` still reports it (a migration must not launder tampering). The
immutability triggers are dropped for the conversion and installed again with `seal_key_id` among the
sealed columns.
"""

from django.db import migrations, models

from facturier.invoicing.immutability import SEALED_COLUMNS, UNKEYED_SEALED_COLUMNS, install, uninstall


def drop_triggers(apps, schema_editor):  # type: ignore[no-untyped-def]
    uninstall(schema_editor)


def _reseal_chain(records, content_of, keys, save, previous_field):  # type: ignore[no-untyped-def]
    """Reseal `records` (in chain order) while their legacy chain verifies; return the new last seal.

    A document's content includes its previous seal, so it is read again once that link is the new one.
    """
    from facturier.domain.sealing import GENESIS_HASH, chain_hash, seal_mac

    legacy, new = GENESIS_HASH, GENESIS_HASH
    for record, previous, stored in records:
        if previous != legacy or chain_hash(previous, content_of(record)) != stored:
            return None
        legacy = stored
        setattr(record, previous_field, new)
        new_hash = seal_mac(keys.current, new, content_of(record))
        save(record, new, new_hash)
        new = new_hash
    return new


def reseal(apps, schema_editor):  # type: ignore[no-untyped-def]
    from facturier.audit.keys import keyring
    from facturier.audit.models import event_sealed_content
    from facturier.invoicing.sealing import sealed_content

    Document = apps.get_model("invoicing", "Document")
    NumberingSeries = apps.get_model("invoicing", "NumberingSeries")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    ChainHead = apps.get_model("audit", "ChainHead")
    if not Document.objects.exclude(seal_hash="").exists() and not AuditEvent.objects.exists():
        return
    keys = keyring()

    def save_document(document, previous, new_hash):  # type: ignore[no-untyped-def]
        Document.objects.filter(pk=document.pk).update(
            seal_previous_hash=previous, seal_hash=new_hash, seal_key_id=keys.current_id
        )

    for series in NumberingSeries.objects.all():
        documents = (
            Document.objects.filter(series=series).exclude(seal_position=None).order_by("seal_position")
        )
        rows = ((d, d.seal_previous_hash, d.seal_hash) for d in documents)
        head = _reseal_chain(rows, sealed_content, keys, save_document, "seal_previous_hash")
        if head is not None and series.chain_length:
            NumberingSeries.objects.filter(pk=series.pk).update(chain_hash=head)

    def save_event(event, previous, new_hash):  # type: ignore[no-untyped-def]
        AuditEvent.objects.filter(pk=event.pk).update(
            previous_hash=previous, hash=new_hash, key_id=keys.current_id
        )

    for chain in ChainHead.objects.filter(key__startswith="audit:"):
        events = AuditEvent.objects.filter(chain_key=chain.key).order_by("position")
        rows = ((e, e.previous_hash, e.hash) for e in events)
        head = _reseal_chain(rows, event_sealed_content, keys, save_event, "previous_hash")
        if head is not None and chain.length:
            ChainHead.objects.filter(pk=chain.pk).update(last_hash=head)


def install_triggers(apps, schema_editor):  # type: ignore[no-untyped-def]
    install(schema_editor, SEALED_COLUMNS)  # the columns of that time (0011 adds cost_centre)


def install_unkeyed_triggers(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Going back: the triggers of before, which do not name the column this migration adds."""
    install(schema_editor, UNKEYED_SEALED_COLUMNS)


class Migration(migrations.Migration):
    dependencies = [
        ("invoicing", "0006_settlement_derived"),
        ("audit", "0002_keyed_seals"),
        # resealing calls the live `sealed_content`, which reads the stored files' table
        ("documents", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(drop_triggers, install_unkeyed_triggers),
        migrations.AddField(
            model_name="document",
            name="seal_key_id",
            field=models.CharField(blank=True, default="", max_length=40),
        ),
        migrations.RunPython(reseal, migrations.RunPython.noop),
        migrations.RunPython(install_triggers, drop_triggers),
    ]
