"""When an invoice becomes paid, the customer receives one receipt by email, in the invoice's language,
through a real SMTP server (aiosmtpd on 127.0.0.1)."""

import datetime as dt
import socket
from collections.abc import Iterator
from decimal import Decimal
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from facturier.audit.models import AuditEvent
from facturier.invoicing.services import invoice_issue
from facturier.jobs.models import JobRun, RunStatus
from facturier.payments.services import (
    allocation_remove,
    payment_allocate,
    payment_record,
    payment_record_for_invoice,
)

DAY = dt.date(2026, 11, 23)
pytestmark = pytest.mark.time_machine(dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC))


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp(settings) -> Iterator[Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_URL = f"smtp://127.0.0.1:{controller.port}?timeout=5"
    yield inbox
    controller.stop()


@pytest.fixture
def invoice(draft_invoice, owner):
    return invoice_issue(invoice=draft_invoice, by=owner)  # payable 3,204.60


def test_the_payment_that_settles_an_invoice_emails_one_receipt_in_its_language(
    smtp, invoice, owner, django_capture_on_commit_callbacks
):
    # given an invoice in French, paid in two parts
    with django_capture_on_commit_callbacks(execute=True):
        payment_record_for_invoice(invoice=invoice, amount=Decimal("1000.00"), received_on=DAY, by=owner)
    # then nothing is sent while it is partly paid
    assert smtp.messages == []
    with django_capture_on_commit_callbacks(execute=True):
        payment_record_for_invoice(invoice=invoice, amount=Decimal("2204.60"), received_on=DAY, by=owner)
    # then the customer receives one receipt, in French
    ((sender, recipients, message),) = smtp.messages
    assert recipients == ["factures@martin.example"]
    assert message["Subject"].strip() == f"Reçu de la facture {invoice.number} – Atelier Dupont SAS"
    body = message.get_body(("plain",)).get_content()
    assert f"facture {invoice.number} d'un montant de 3\u202f204,60\xa0€" in body
    assert "23 novembre 2026" in body
    assert JobRun.objects.get(key=f"receipt:{invoice.pk}").status == RunStatus.DONE
    assert AuditEvent.objects.filter(action="invoice.receipt_sent", object_id=str(invoice.pk)).count() == 1


def test_a_receipt_is_in_english_for_an_english_invoice(
    smtp, draft_invoice, owner, django_capture_on_commit_callbacks
):
    draft_invoice.language = "en"
    draft_invoice.save(update_fields=["language"])
    invoice = invoice_issue(invoice=draft_invoice, by=owner)
    with django_capture_on_commit_callbacks(execute=True):
        payment_record_for_invoice(invoice=invoice, amount=Decimal("3204.60"), received_on=DAY, by=owner)
    ((_sender, _recipients, message),) = smtp.messages
    assert message["Subject"].strip() == f"Receipt for invoice {invoice.number} – Atelier Dupont SAS"
    assert "€3,204.60" in message.get_body(("plain",)).get_content()


def test_paid_again_after_an_unallocation_sends_no_second_receipt(
    smtp, invoice, entity, customer, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        payment = payment_record(entity=entity, customer=customer, amount=Decimal("3204.60"), received_on=DAY,
                                 by=owner, allocations=[(invoice, Decimal("3204.60"))])  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        allocation_remove(allocation=payment.allocations.get(), by=owner)
        payment_allocate(payment=payment, document=invoice, amount=Decimal("3204.60"), by=owner)
    assert len(smtp.messages) == 1
    assert JobRun.objects.filter(key__startswith="receipt:").count() == 1


def test_no_receipt_when_the_company_turned_them_off(
    smtp, invoice, entity, owner, django_capture_on_commit_callbacks
):
    from facturier.accounts.services import entity_update

    entity_update(entity=entity, by=owner, send_payment_receipts=False)
    invoice.entity.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        payment_record_for_invoice(invoice=invoice, amount=Decimal("3204.60"), received_on=DAY, by=owner)
    assert smtp.messages == []
    assert not JobRun.objects.filter(key__startswith="receipt:").exists()


def test_a_rolled_back_payment_sends_nothing(smtp, invoice, owner, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                payment_record_for_invoice(
                    invoice=invoice, amount=Decimal("3204.60"), received_on=DAY, by=owner
                )
                raise RuntimeError("the clerk's request failed after recording")
        except RuntimeError:
            pass
    assert callbacks == []
    assert smtp.messages == []
    assert not JobRun.objects.filter(key__startswith="receipt:").exists()
