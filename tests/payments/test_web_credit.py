"""The refund and credit-note offset pages: reachable from the statement, payment and invoice pages, they
call `payments.credit`, show the refusals next to the form and write nothing then."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from facturier.audit.models import AuditEvent
from facturier.invoicing.services import LineData, credit_note_create, document_create, invoice_issue
from facturier.payments.credit import available_credit
from facturier.payments.models import Payment
from facturier.payments.selectors import Settlement, settlement_of
from facturier.payments.services import payment_record, payment_record_for_invoice
from tests.web.conftest import page_messages

DAY = dt.date(2026, 11, 23)
pytestmark = pytest.mark.time_machine(dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC))


@pytest.fixture
def owner_client(client, owner, entity):
    client.force_login(owner)
    return client


@pytest.fixture
def invoice(draft_invoice, owner):
    return invoice_issue(invoice=draft_invoice, by=owner)  # payable 3,204.60


def _small_invoice(entity, customer, owner, price: str):
    lines = [LineData(description="Prestation", quantity=Decimal("1"), unit_price=Decimal(price))]
    draft = document_create(entity=entity, kind="invoice", customer=customer, by=owner, lines=lines)
    return invoice_issue(invoice=draft, by=owner)


def test_refunding_part_of_the_customers_credit_from_the_statement(owner_client, entity, customer, owner):
    payment = payment_record(
        entity=entity, customer=customer, amount=Decimal("100.00"), received_on=DAY, by=owner
    )
    # the statement and the payment's page link to the refund page, which proposes the credit
    statement = owner_client.get(
        reverse("web:customer-statement", kwargs={"pk": customer.pk})
    ).content.decode()
    url = reverse("web:customer-refund", kwargs={"pk": customer.pk})
    assert url in statement
    assert url in owner_client.get(reverse("web:payment-detail", kwargs={"pk": payment.pk})).content.decode()
    page = owner_client.get(url)
    assert page.status_code == 200
    assert 'value="credit:EUR"' in page.content.decode()
    # refunding 60 (French decimal comma) records a -60 payment and leaves 40 of credit
    response = owner_client.post(url, {"source": "credit:EUR", "amount": "60,00", "refunded_on": "2026-11-23",
                                       "method": "transfer", "reference": "VIR-R1"}, follow=True)  # fmt: skip
    refund = Payment.objects.get(amount__lt=0)
    assert response.redirect_chain[-1][0] == reverse("web:payment-detail", kwargs={"pk": refund.pk})
    assert refund.amount == Decimal("-60.00")
    assert refund.reference == "VIR-R1"
    assert available_credit(customer, "EUR") == Decimal("40.00")
    assert AuditEvent.objects.filter(action="payment.refunded", object_id=str(refund.pk)).exists()
    assert page_messages(response)


def test_refunding_more_than_the_credit_is_refused_next_to_the_amount(owner_client, entity, customer, owner):
    payment_record(entity=entity, customer=customer, amount=Decimal("100.00"), received_on=DAY, by=owner)
    url = reverse("web:customer-refund", kwargs={"pk": customer.pk})
    response = owner_client.post(url, {"source": "credit:EUR", "amount": "150.00", "refunded_on": "2026-11-23",
                                       "method": "transfer"})  # fmt: skip
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="error-summary"' in page
    assert 'href="#id_amount"' in page
    assert not Payment.objects.filter(amount__lt=0).exists()


def test_refunding_the_excess_of_an_overpaid_invoice_from_its_page(owner_client, invoice, customer, owner):
    # paid in full, then fully credited: overpaid by 3,204.60
    payment_record_for_invoice(invoice=invoice, amount=Decimal("3204.60"), received_on=DAY, by=owner)
    invoice_issue(invoice=credit_note_create(invoice=invoice, by=owner), by=owner)
    page = owner_client.get(reverse("web:document-detail", kwargs={"pk": invoice.pk})).content.decode()
    assert 'id="refund-link"' in page
    source = f"invoice:{invoice.pk}"
    url = reverse("web:customer-refund", kwargs={"pk": customer.pk})
    form = owner_client.get(url + "?source=" + source).content.decode()
    assert 'value="3\u202f204,60"' in form  # the excess, proposed as the amount
    response = owner_client.post(url, {"source": source, "amount": "3204.60", "refunded_on": "2026-11-23",
                                       "method": "transfer"})  # fmt: skip
    assert response.status_code == 302
    assert settlement_of(invoice).balance == Decimal("0.00")
    assert AuditEvent.objects.filter(action="invoice.payment_refunded", object_id=str(invoice.pk)).exists()


def test_the_refund_page_says_when_there_is_nothing_to_refund(owner_client, customer):
    page = owner_client.get(reverse("web:customer-refund", kwargs={"pk": customer.pk})).content.decode()
    assert 'id="nothing-to-refund"' in page
    assert 'id="refund-form"' not in page


def test_offsetting_a_credit_note_against_another_invoice_from_the_credit_note_page(
    owner_client, invoice, entity, customer, owner
):
    # a paid invoice credited by 720: the credit note can pay another invoice of 600
    payment_record_for_invoice(invoice=invoice, amount=Decimal("3204.60"), received_on=DAY, by=owner)
    lines = [LineData(description="Remise", quantity=Decimal("1"), unit_price=Decimal("600.00"))]
    credit_note = invoice_issue(invoice=credit_note_create(invoice=invoice, by=owner, lines=lines), by=owner)
    second = _small_invoice(entity, customer, owner, "500.00")
    url = reverse("web:invoice-offset", kwargs={"pk": credit_note.pk})
    assert (
        url
        in owner_client.get(reverse("web:document-detail", kwargs={"pk": credit_note.pk})).content.decode()
    )
    form = owner_client.get(url).content.decode()
    assert f'value="{second.pk}"' in form
    assert f'value="{invoice.pk}"' not in form  # the invoice it credits is not offered
    # too much is refused, nothing written
    refused = owner_client.post(url, {"other": str(second.pk), "amount": "800,00"})
    assert refused.status_code == 422
    assert 'href="#id_amount"' in refused.content.decode()
    assert settlement_of(second).settlement == Settlement.UNPAID
    # the invoice's amount is accepted
    response = owner_client.post(url, {"other": str(second.pk), "amount": "600,00"})
    assert response.status_code == 302
    assert settlement_of(second).settlement == Settlement.PAID
    assert AuditEvent.objects.filter(action="invoice.offset", object_id=str(credit_note.pk)).exists()


def test_offsetting_from_the_invoice_page_chooses_among_credit_notes(
    owner_client, invoice, entity, customer, owner
):
    payment_record_for_invoice(invoice=invoice, amount=Decimal("3204.60"), received_on=DAY, by=owner)
    lines = [LineData(description="Remise", quantity=Decimal("1"), unit_price=Decimal("100.00"))]
    credit_note = invoice_issue(invoice=credit_note_create(invoice=invoice, by=owner, lines=lines), by=owner)
    second = _small_invoice(entity, customer, owner, "500.00")
    url = reverse("web:invoice-offset", kwargs={"pk": second.pk})
    assert url in owner_client.get(reverse("web:document-detail", kwargs={"pk": second.pk})).content.decode()
    form = owner_client.get(url).content.decode()
    assert f'value="{credit_note.pk}"' in form
    response = owner_client.post(url, {"other": str(credit_note.pk), "amount": "120.00"})
    assert response.status_code == 302
    assert settlement_of(second).balance == Decimal("480.00")


def test_a_forged_choice_is_a_form_error_and_an_outsider_finds_nothing(
    owner_client, client, invoice, customer, outsider
):
    url = reverse("web:invoice-offset", kwargs={"pk": invoice.pk})
    response = owner_client.post(url, {"other": "00000000-0000-0000-0000-000000000000", "amount": "1.00"})
    assert response.status_code == 422  # not one of the choices offered
    assert not Payment.objects.exists()
    client.force_login(outsider)
    assert client.get(url).status_code in (302, 404)
    assert client.get(reverse("web:customer-refund", kwargs={"pk": customer.pk})).status_code in (302, 404)


@pytest.mark.postgres  # SQLite ignores FOR UPDATE (and a transactional test cannot flush its audit trail)
@pytest.mark.django_db(transaction=True)
def test_the_invoice_page_shows_the_customers_credit_outside_a_transaction(
    owner_client, invoice, entity, customer, owner
):
    # A page runs in autocommit: reading the credit must not lock rows (FOR UPDATE outside a transaction
    # is an error on PostgreSQL; SQLite ignores it, so this test guards the PostgreSQL run).
    payment_record(entity=entity, customer=customer, amount=Decimal("3500.00"), received_on=DAY, by=owner,
                   allocations=[(invoice, Decimal("3204.60"))])  # fmt: skip
    response = owner_client.get(reverse("web:document-detail", kwargs={"pk": invoice.pk}))
    assert response.status_code == 200
    assert available_credit(customer, "EUR") == Decimal("295.40")
