"""The sending task goes through a real `db_worker` process (django-tasks-db on PostgreSQL)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.db import connection

from facturier.transmission.models import Transmission, TransmissionStatus
from facturier.transmission.services import transmission_request
from tests.transmission.test_email import Inbox, closed_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.postgres
@pytest.mark.slow
def test_a_database_worker_process_sends_the_requested_invoice(
    transactional_db, settings, issued_invoice
) -> None:
    # given the database task backend and a real SMTP server
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=closed_port())
    smtp.start()
    try:
        # when sending is requested: the commit puts the task in the database, nothing is sent yet
        transmission_request(document=issued_invoice, by=None)
        assert Transmission.objects.get().status == TransmissionStatus.PENDING
        # and a worker process runs the queue
        db = connection.settings_dict
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.dev", "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
               "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"}  # fmt: skip
        worker = subprocess.run(
            [sys.executable, "-m", "django", "db_worker", "--batch", "--no-startup-delay", "--no-reload"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert worker.returncode == 0, worker.stderr[-2000:]
    finally:
        smtp.stop()
    # then the worker sent the invoice by email and recorded it
    transmission = Transmission.objects.get()
    assert (transmission.status, transmission.attempts) == (TransmissionStatus.SENT, 1), (
        transmission.last_error
    )
    ((_, recipients, message),) = inbox.messages
    assert recipients == ["factures@martin.example"]
    assert next(message.iter_attachments()).get_filename() == f"{issued_invoice.number}.pdf"
