"""Two simultaneous requests to send the same invoice deliver it once (PostgreSQL row locks)."""

from __future__ import annotations

import threading

import pytest
from django.core import mail
from django.db import connection

from facturier.transmission.models import Transmission, TransmissionStatus
from facturier.transmission.services import transmission_request


@pytest.mark.postgres
@pytest.mark.slow
def test_concurrent_send_requests_deliver_the_invoice_once(
    transactional_db, channels, issued_invoice
) -> None:
    # given two workers asking at the same instant to send the same invoice (email through locmem)
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def ask() -> None:
        try:
            start.wait()
            transmission_request(document=issued_invoice, by=None)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    # then one transmission exists, it was sent, and one email left
    assert errors == []
    (transmission,) = Transmission.objects.all()
    assert (transmission.status, transmission.attempts) == (TransmissionStatus.SENT, 1)
    assert len(mail.outbox) == 1
