"""Notices to customers N days before a recurring invoice or a tacit renewal (email).

A contract with `notify_days` set (else the installation's `FACTURIER_BILLING_NOTICE_DAYS`, unset: no
notice) gets an email that many days or fewer before the billing date of its next period and before
the end of its current term when it renews tacitly (the date by which they may still terminate). The
daily schedule `billing-notices` sends them; a `BillingNotice` row, unique per contract, kind and date,
is written first, so a notice is sent once however often the schedule fires (a crash between the send
and its mark re-sends it at the next tick: at least once, never for another date).
"""

from __future__ import annotations

import datetime as dt
import logging

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from config.settings.email import connection_options
from facturier.billing.compute import service_window
from facturier.billing.models import BilledPeriod, BillingNotice, Contract, ContractStatus, NoticeKind
from facturier.domain.billing.periods import Alignment, Timing, billing_date, parse_frequency, periods_between
from facturier.invoicing.services.common import entity_today

logger = logging.getLogger(__name__)


def notice_days(contract: Contract) -> int | None:
    if contract.notify_days is not None:
        return contract.notify_days
    default = getattr(settings, "FACTURIER_BILLING_NOTICE_DAYS", None)
    return int(default) if default not in (None, "") else None


def next_invoice_date(contract: Contract, today: dt.date, horizon: dt.date) -> dt.date | None:
    """The billing date of the first period not billed yet that falls in ``[today, horizon]``."""
    start, end = service_window(contract)
    freq = parse_frequency(contract.frequency)
    billed = set(BilledPeriod.objects.filter(contract=contract).values_list("period_start", flat=True))
    limit = horizon + dt.timedelta(days=1) if end is None else min(horizon + dt.timedelta(days=1), end)
    for period in periods_between(freq, Alignment(contract.alignment), start, limit):
        when = billing_date(period, Timing(contract.timing), start, end)
        if today <= when <= horizon and period.start not in billed:
            return when
    return None


def next_renewal_date(contract: Contract, today: dt.date) -> dt.date | None:
    """The end of the current term of a contract that renews tacitly (None: no term or no tacit renewal)."""
    if not contract.term_months or not contract.tacit_renewal or contract.end_date is not None:
        return None
    terms = 1
    end: dt.date = contract.start_date + relativedelta(months=contract.term_months)
    while end < today:
        terms += 1
        end = contract.start_date + relativedelta(months=contract.term_months * terms)
    return end


def notices_due(contract: Contract, today: dt.date) -> list[tuple[str, dt.date]]:
    days = notice_days(contract)
    if days is None or contract.status != ContractStatus.ACTIVE:
        return []
    horizon = today + dt.timedelta(days=days)
    found: list[tuple[str, dt.date]] = []
    invoice = next_invoice_date(contract, today, horizon)
    if invoice is not None:
        found.append((NoticeKind.INVOICE, invoice))
    renewal = next_renewal_date(contract, today)
    if renewal is not None and renewal <= horizon:
        found.append((NoticeKind.RENEWAL, renewal))
    return found


def _message(contract: Contract, kind: str, due: dt.date) -> tuple[str, str]:
    values = {"reference": contract.reference, "date": due, "company": contract.entity.name}
    if kind == NoticeKind.RENEWAL:
        return (_("Contract %(reference)s renews on %(date)s") % values,
                _("Your contract %(reference)s with %(company)s renews tacitly on %(date)s. To end it, "
                  "tell us before that date.") % values)  # fmt: skip
    return (_("Upcoming invoice for contract %(reference)s on %(date)s") % values,
            _("Your next invoice for contract %(reference)s with %(company)s will be issued on %(date)s.")
            % values)  # fmt: skip


def send_notice(notice: BillingNotice) -> bool:
    contract = notice.contract
    with translation.override(getattr(contract.customer, "language", None) or "fr"):
        subject, body = _message(contract, notice.kind, notice.due_date)
    try:
        backend, options = connection_options(settings.EMAIL_URL)
        sender = str(settings.DEFAULT_FROM_EMAIL or "") or contract.entity.email
        EmailMessage(subject, body, sender, [notice.recipient],
                     connection=get_connection(backend, fail_silently=False, **options)).send()  # fmt: skip
    except Exception as error:  # reported on the notice; retried at the next tick
        logger.warning("billing notice %s failed: %s", notice.pk, error)
        BillingNotice.objects.filter(pk=notice.pk).update(error=str(error)[:500])
        return False
    BillingNotice.objects.filter(pk=notice.pk).update(sent_at=timezone.now(), error="")
    return True


def send_due_notices(contracts: list[Contract] | None = None) -> int:
    """Send every notice due today (each company's today); returns how many were sent."""
    sent = 0
    query = Contract.objects.filter(status=ContractStatus.ACTIVE).select_related("entity", "customer")
    for contract in contracts if contracts is not None else query:
        recipient = contract.customer.email
        if not recipient or not settings.EMAIL_URL:
            continue
        for kind, due in notices_due(contract, entity_today(contract.entity)):
            try:
                with transaction.atomic():
                    notice, _created = BillingNotice.objects.get_or_create(
                        contract=contract, kind=kind, due_date=due, defaults={"recipient": recipient}
                    )
            except IntegrityError:  # another worker wrote it at the same instant
                continue
            if notice.sent_at is None and send_notice(notice):
                sent += 1
    return sent
