"""Record who created, submitted and approved each document (a user or an API key), so that nobody
approves what they created or submitted.

Documents still open to change (not sealed) get their creator and last submitter back from the audit
trail, so a document pending approval at upgrade time is not open to its own submitter's approval.
Sealed documents are left as they are: they are immutable, and their approval is history.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _actor(event, keys):
    """(user id, API key id) of an audit event's actor; (None, None) for the system."""
    if event.actor_id is not None:
        return event.actor_id, None
    if event.actor_label.startswith("apikey:"):
        return None, keys.get(event.actor_label.removeprefix("apikey:"))
    return None, None


def backfill_authors(apps, schema_editor):
    Document = apps.get_model("invoicing", "Document")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    ApiKey = apps.get_model("accounts", "ApiKey")
    keys = dict(ApiKey.objects.values_list("prefix", "pk"))
    for document in Document.objects.filter(seal_hash="").iterator():
        events = AuditEvent.objects.filter(object_type="invoicing.document", object_id=str(document.pk))
        created = events.filter(action=f"{document.kind}.created").order_by("occurred_at", "position").first()
        submitted = events.filter(action="invoice.submitted").order_by("-occurred_at", "-position").first()
        changes = {}
        if created is not None:
            changes["created_by_id"], changes["created_by_key_id"] = _actor(created, keys)
        if submitted is not None and document.status != "draft":
            changes["submitted_by_id"], changes["submitted_by_key_id"] = _actor(submitted, keys)
        if changes:
            Document.objects.filter(pk=document.pk).update(**changes)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_einvoice_settings"),
        ("audit", "0001_initial"),
        ("invoicing", "0004_document_status_refused"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="document",
            name="created_by",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                    related_name="+", to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name="document",
            name="created_by_key",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                    related_name="+", to="accounts.apikey"),
        ),
        migrations.AddField(
            model_name="document",
            name="submitted_by",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                    related_name="+", to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name="document",
            name="submitted_by_key",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                    related_name="+", to="accounts.apikey"),
        ),
        migrations.AddField(
            model_name="document",
            name="approved_by_key",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                    related_name="+", to="accounts.apikey"),
        ),
        migrations.RunPython(backfill_authors, migrations.RunPython.noop),
    ]
