"""The reconciliation screen (server side): proposals with their reasons in words, accept in one post, a line
split over two invoices with a write-off, counts left; outsiders and read-only roles change nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from facturier.banking.models import BankLine, LineStatus
from facturier.banking.reconciliation_inputs import item_key
from facturier.payments.selectors import Settlement, settlement_of
from tests.web.conftest import page_messages

pytestmark = pytest.mark.time_machine(dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC))


def test_the_screen_lists_proposals_with_reasons_and_what_is_left(owner_client, screen, customer):
    response = owner_client.get(reverse("web:bank-reconcile"))
    assert response.status_code == 200
    html = response.content.decode()
    assert screen["proposed"].number in html
    assert f"le payeur est {customer.name}" in html
    assert "2 lignes restantes" in html
    assert 'aria-keyshortcuts="a"' in html


def test_a_proposal_is_accepted_in_one_post_then_undone(owner_client, screen):
    line = BankLine.objects.get(remittance__contains="NOVEMBRE")
    response = owner_client.post(reverse("web:bank-reconcile-action", args=[line.pk, "accept"]), follow=True)
    assert "Proposition acceptée" in page_messages(response)[-1]
    assert settlement_of(screen["proposed"]).settlement == Settlement.PAID
    # accepting it again (a second clerk, a double key press) changes nothing and says why
    response = owner_client.post(reverse("web:bank-reconcile-action", args=[line.pk, "accept"]), follow=True)
    assert "déjà" in page_messages(response)[-1]
    response = owner_client.post(reverse("web:bank-reconcile-action", args=[line.pk, "undo"]), follow=True)
    assert settlement_of(screen["proposed"]).settlement == Settlement.UNPAID


def test_a_line_is_split_over_two_invoices_with_a_write_off(owner_client, screen):
    line = BankLine.objects.get(remittance="PAIEMENT")
    url = reverse("web:bank-reconcile-line", args=[line.pk])
    page = owner_client.get(url, {"q": "Durand"})
    assert screen["a"].number in page.content.decode()
    a, b = item_key(screen["a"]), item_key(screen["b"])
    response = owner_client.post(url, {"item": [a, b], f"amount-{a}": "300,00", f"amount-{b}": "60.00",
                                       "write_off": "writeoff"})  # fmt: skip
    assert response.status_code == 302
    assert settlement_of(screen["a"]).settlement == Settlement.PAID
    assert settlement_of(screen["b"]).settlement == Settlement.PAID


def test_a_split_exceeding_the_line_without_a_write_off_is_refused_on_the_page(owner_client, screen):
    line = BankLine.objects.get(remittance="PAIEMENT")
    a, b = item_key(screen["a"]), item_key(screen["b"])
    response = owner_client.post(reverse("web:bank-reconcile-line", args=[line.pk]),
                                 {"item": [a, b], f"amount-{a}": "300", f"amount-{b}": "60"})  # fmt: skip
    assert response.status_code == 422
    assert "0.60" in response.content.decode() or "0,60" in response.content.decode()
    assert settlement_of(screen["a"]).settlement == Settlement.UNPAID


def test_outsiders_see_nothing_and_auditors_change_nothing(client, outsider, screen, member_client):
    line = BankLine.objects.get(remittance__contains="NOVEMBRE")
    client.force_login(outsider)
    assert client.get(reverse("web:bank-reconcile-line", args=[line.pk])).status_code == 404
    auditor = member_client("auditor")
    assert auditor.get(reverse("web:bank-reconcile")).status_code == 200
    response = auditor.post(reverse("web:bank-reconcile-action", args=[line.pk, "accept"]))
    assert response.status_code == 404
    assert BankLine.objects.get(pk=line.pk).status == LineStatus.PROPOSED


def test_confident_proposals_are_accepted_in_bulk_and_the_others_left(owner_client, screen):
    line = BankLine.objects.get(remittance__contains="NOVEMBRE")
    BankLine.objects.filter(pk=line.pk).update(score=Decimal("0.9"))
    response = owner_client.post(reverse("web:bank-reconcile-bulk"), follow=True)
    assert "1 propositions sûres acceptées." in page_messages(response)
    assert BankLine.objects.get(pk=line.pk).status == LineStatus.MANUAL
    assert BankLine.objects.get(remittance="PAIEMENT").status == LineStatus.UNRECONCILED
