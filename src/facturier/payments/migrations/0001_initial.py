# Payments and their allocations to issued invoices (settlement is derived from them).

import django.db.models.deletion
import uuid
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0002_einvoice_settings'),
        ('invoicing', '0005_document_created_submitted_by'),
        ('parties', '0002_supplier'),
    ]

    operations = [
        migrations.CreateModel(
            name='Payment',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('received_on', models.DateField(verbose_name='received on')),
                ('amount', models.DecimalField(decimal_places=2, max_digits=20, verbose_name='amount')),
                ('currency', models.CharField(max_length=3, verbose_name='currency')),
                ('method', models.CharField(choices=[('transfer', 'Bank transfer'), ('sepa_instant', 'SEPA instant transfer'), ('direct_debit', 'Direct debit'), ('card', 'Card'), ('paypal', 'PayPal'), ('cheque', 'Cheque'), ('cash', 'Cash'), ('compensation', 'Compensation')], default='transfer', max_length=20, verbose_name='method')),
                ('reference', models.CharField(blank=True, max_length=140, verbose_name='bank reference')),
                ('payer', models.CharField(blank=True, max_length=200, verbose_name='payer')),
                ('reversed_at', models.DateTimeField(blank=True, null=True)),
                ('reversal_reason', models.CharField(blank=True, max_length=200)),
                ('customer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='payments', to='parties.customer')),
                ('entity', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.legalentity')),
            ],
            options={
                'ordering': ['received_on', 'created_at'],
            },
        ),
        migrations.CreateModel(
            name='Allocation',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('amount', models.DecimalField(decimal_places=2, max_digits=20, verbose_name='amount')),
                ('document', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='allocations', to='invoicing.document')),
                ('entity', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.legalentity')),
                ('payment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='allocations', to='payments.payment')),
            ],
            options={
                'ordering': ['created_at'],
            },
        ),
        migrations.AddIndex(
            model_name='payment',
            index=models.Index(fields=['entity', 'customer', 'received_on'], name='payments_pa_entity__5da218_idx'),
        ),
        migrations.AddIndex(
            model_name='allocation',
            index=models.Index(fields=['document'], name='payments_al_documen_af6a41_idx'),
        ),
        migrations.AddConstraint(
            model_name='allocation',
            constraint=models.CheckConstraint(condition=models.Q(('amount', 0), _negated=True), name='allocation_not_zero'),
        ),
        migrations.AddConstraint(
            model_name='allocation',
            constraint=models.UniqueConstraint(fields=('payment', 'document'), name='one_allocation_per_payment_document'),
        ),
    ]
