"""Validation runs on one thread per process, so thread-per-request servers compile the rules once."""

import os
import threading

import pytest

from facturier.domain.validation import schematron
from facturier.invoicing.einvoice import artefact_store, document_xml
from facturier.invoicing.einvoice_runner import run_validation
from tests.invoicing.einvoice_cases import installed_rules  # noqa: F401 - fixture


def _engines_here() -> int:
    return sum(1 for engine in schematron._registry if engine.pid == os.getpid())


@pytest.mark.usefixtures("installed_rules")
def test_requests_on_fresh_threads_share_one_saxon_engine(draft_invoice):
    # given the XML of an invoice, validated once so the validation thread exists
    xml = document_xml(draft_invoice, syntax="cii", profile="EN16931")
    kwargs = {"syntax": "cii", "profile": "EN16931", "rules": ("xsd", "en16931"), "store": artefact_store()}
    first = run_validation(xml, **kwargs)
    engines = _engines_here()
    # when three "requests", each on its own new thread, validate it
    reports = []
    threads = [
        threading.Thread(target=lambda: reports.append(run_validation(xml, **kwargs))) for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then they get the same report and no new Saxon engine (nor stylesheet compile) was needed
    assert [report.findings for report in reports] == [first.findings] * 3
    assert _engines_here() == engines
