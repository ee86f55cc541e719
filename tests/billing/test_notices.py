"""Customers are emailed N days before an invoice or a tacit renewal, once per contract, kind and date,
through a real SMTP server (aiosmtpd), by the shipped daily schedule."""

from __future__ import annotations

import datetime as dt
import socket
from email import message_from_bytes, policy
from zoneinfo import ZoneInfo

import pytest
import time_machine
from aiosmtpd.controller import Controller

from facturier.billing.models import BillingNotice
from facturier.billing.notices import send_due_notices
from facturier.jobs.models import JobRun, RunStatus
from facturier.jobs.runs import job_execute
from facturier.jobs.scheduler import fire_due, schedules_sync

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


class Inbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.original_content,
                                                                            policy=policy.default)))  # fmt: skip
        return "250 OK"


@pytest.fixture
def smtp(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_URL = f"smtp://127.0.0.1:{controller.port}?timeout=5"
    settings.DEFAULT_FROM_EMAIL = "factures@dupont.example"
    yield inbox
    controller.stop()


def _at(day: dt.date, hour: int = 9):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, tzinfo=PARIS), tick=False)


def test_a_notice_is_sent_n_days_before_the_invoice_once_whatever_the_ticks(smtp, make_contract, customer):
    # given a monthly contract from 1 March 2026 whose customer wants 5 days' notice
    make_contract(start=dt.date(2026, 1, 1), notify_days=5)
    customer.email = "compta@martin.example"
    customer.save()
    # nothing 6 days before the 1 March invoice (January and February are billed: notices only look ahead)
    from facturier.billing.models import BilledPeriod, Contract

    contract = Contract.objects.get()
    for month in (1, 2):
        BilledPeriod.objects.create(contract=contract, period_start=dt.date(2026, month, 1),
                                    period_end=dt.date(2026, month + 1, 1))  # fmt: skip
    with _at(dt.date(2026, 2, 23)):
        assert send_due_notices() == 0
    # 5 days before (24 February, the 28-day month): one email; again the same day and the next: none
    with _at(dt.date(2026, 2, 24)):
        assert send_due_notices() == 1
        assert send_due_notices() == 0
    with _at(dt.date(2026, 2, 25)):
        assert send_due_notices() == 0
    [(recipients, message)] = smtp.messages
    assert recipients == ["compta@martin.example"]
    assert message["Subject"] == "Prochaine facture du contrat C-1 le 2026-03-01"
    assert BillingNotice.objects.get().due_date == dt.date(2026, 3, 1)


def test_a_tacit_renewal_is_announced_before_the_term_ends_by_the_shipped_schedule(
    smtp, make_contract, customer
):
    # given a 12-month contract renewing tacitly, 30 days' notice, invoiced yearly (its invoice on the same day)
    make_contract(start=dt.date(2025, 3, 1), frequency="yearly", alignment="anniversary", term_months=12,
                  tacit_renewal=True,
                  notify_days=30)  # fmt: skip
    customer.email = "compta@martin.example"
    customer.language = "en"
    customer.save()
    with _at(dt.date(2026, 1, 29), 0):
        schedules_sync()
    # when the scheduler fires every day from 29 January to 5 February 2026 and a worker executes the runs
    day = dt.date(2026, 1, 29)
    while day <= dt.date(2026, 2, 5):
        with _at(day, 8):
            fire_due()
            for job in JobRun.objects.filter(status=RunStatus.QUEUED, schedule__name="billing-notices"):
                job_execute(run_id=job.pk)
        day += dt.timedelta(days=1)
    # then on 30 January (30 days before 1 March 2026) the renewal and the invoice are announced, once each
    kinds = sorted(BillingNotice.objects.values_list("kind", "due_date"))
    assert kinds == [("invoice", dt.date(2026, 3, 1)), ("renewal", dt.date(2026, 3, 1))]
    subjects = sorted(message["Subject"] for _recipients, message in smtp.messages)
    assert subjects == [
        "Contract C-1 renews on 2026-03-01",
        "Upcoming invoice for contract C-1 on 2026-03-01",
    ]
