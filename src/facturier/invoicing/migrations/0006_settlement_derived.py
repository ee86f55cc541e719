"""Settlement leaves the lifecycle: payments move to the payments app as allocations, and invoices
that were "paid" or "partially paid" go back to where they were (sent, or issued if never sent)."""

from django.db import migrations, models


def move_payments(apps, schema_editor):
    """Each old payment of an invoice becomes a payment of its customer, allocated in full to that invoice."""
    OldPayment = apps.get_model("invoicing", "Payment")
    Document = apps.get_model("invoicing", "Document")
    Payment = apps.get_model("payments", "Payment")
    Allocation = apps.get_model("payments", "Allocation")
    for old in OldPayment.objects.select_related("document").order_by("received_on", "created_at"):
        invoice = old.document
        payment = Payment.objects.create(
            entity_id=invoice.entity_id, customer_id=invoice.customer_id, received_on=old.received_on,
            amount=old.amount, currency=invoice.currency, reference=old.reference,
        )
        Allocation.objects.create(entity_id=invoice.entity_id, payment=payment, document=invoice, amount=old.amount)
    Document.objects.filter(status__in=["paid", "partially_paid"], sent_at__isnull=False).update(status="sent")
    Document.objects.filter(status__in=["paid", "partially_paid"]).update(status="issued")


class Migration(migrations.Migration):

    dependencies = [
        ('invoicing', '0005_document_created_submitted_by'),
        ('payments', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(move_payments, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='document',
            name='amount_paid',
        ),
        migrations.AlterField(
            model_name='document',
            name='status',
            field=models.CharField(choices=[('draft', 'Draft'), ('pending_approval', 'Pending approval'), ('approved', 'Approved'), ('issued', 'Issued'), ('sent', 'Sent'), ('disputed', 'Disputed'), ('cancelled', 'Cancelled by credit note'), ('refused', 'Refused or rejected: action needed'), ('accepted', 'Accepted'), ('declined', 'Declined'), ('confirmed', 'Confirmed'), ('converted', 'Converted')], default='draft', max_length=20, verbose_name='status'),
        ),
        migrations.DeleteModel(
            name='Payment',
        ),
    ]
