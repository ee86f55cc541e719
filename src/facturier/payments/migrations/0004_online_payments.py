# Online payment: provider checkouts of invoices and the provider webhook events received.

import django.db.models.deletion
import uuid
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_two_factor_policy'),
        ('invoicing', '0008_read_indexes'),
        ('payments', '0003_direct_debit'),
    ]

    operations = [
        migrations.CreateModel(
            name='Checkout',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('provider', models.CharField(choices=[('stripe', 'Stripe'), ('paypal', 'PayPal')], max_length=20)),
                ('provider_id', models.CharField(max_length=255)),
                ('url', models.URLField(max_length=2000)),
                ('amount', models.DecimalField(decimal_places=2, max_digits=20, verbose_name='amount')),
                ('currency', models.CharField(max_length=3, verbose_name='currency')),
                ('status', models.CharField(choices=[('open', 'Open'), ('pending', 'Payment pending'), ('paid', 'Paid'), ('failed', 'Failed'), ('expired', 'Expired'), ('refused', 'Refused (amount or currency differs)')], default='open', max_length=20)),
                ('expires_at', models.DateTimeField(blank=True, null=True)),
                ('fee', models.DecimalField(blank=True, decimal_places=2, max_digits=20, null=True, verbose_name='provider fee')),
                ('payment_reference', models.CharField(blank=True, max_length=255)),
                ('paid_at', models.DateTimeField(blank=True, null=True)),
                ('document', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='checkouts', to='invoicing.document')),
                ('entity', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.legalentity')),
                ('payment', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='checkout', to='payments.payment')),
            ],
            options={
                'ordering': ['created_at'],
                'indexes': [models.Index(fields=['document', 'status'], name='payments_ch_documen_70b05c_idx')],
                'constraints': [models.UniqueConstraint(fields=('provider', 'provider_id'), name='one_checkout_per_provider_id')],
            },
        ),
        migrations.CreateModel(
            name='ProviderEvent',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('provider', models.CharField(choices=[('stripe', 'Stripe'), ('paypal', 'PayPal')], max_length=20)),
                ('event_id', models.CharField(max_length=255)),
                ('event_type', models.CharField(max_length=100)),
                ('checkout_ref', models.CharField(blank=True, max_length=255)),
                ('payload', models.JSONField()),
                ('processed_at', models.DateTimeField(blank=True, null=True)),
                ('outcome', models.CharField(blank=True, max_length=40)),
                ('entity', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.legalentity')),
            ],
            options={
                'ordering': ['created_at'],
                'indexes': [models.Index(fields=['provider', 'checkout_ref'], name='payments_pr_provide_365148_idx')],
                'constraints': [models.UniqueConstraint(fields=('provider', 'event_id'), name='one_event_per_provider_id')],
            },
        ),
    ]
