"""The menu's "To approve" count in plain SQL (`invoicing.approval_count`) is the ORM definition's count
(`awaiting_approval_by(...).count()`) for everyone, as circuits move, people leave and stand in."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from facturier.approvals.services import delegation_save
from facturier.invoicing.models import Document, Status
from facturier.invoicing.selectors import awaiting_approval_by, awaiting_approval_count
from facturier.invoicing.services import LineData, document_create, invoice_approve, invoice_submit

pytestmark = pytest.mark.django_db
PARIS_NOON = dt.datetime(2024, 2, 29, 11, 0, tzinfo=dt.UTC)


def _counts(people, entity) -> list[int]:
    counts = [awaiting_approval_count(person, entity) for person in people]
    assert counts == [awaiting_approval_by(person, entity).count() for person in people]
    return counts


def _invoice(entity, customer, product, by, quantity: str):
    return document_create(
        entity=entity, kind="invoice", customer=customer, by=by,
        lines=[LineData(product=product, quantity=Decimal(quantity))],
    )  # fmt: skip


@time_machine.travel(PARIS_NOON, tick=False)
def test_the_menu_count_follows_levels_decisions_delegations_and_departures(
    entity, owner, colleague, approver, approver2, director, customer, product, two_levels
):
    people = (owner, approver, approver2, director)
    # given two invoices over 1,000 EUR (two levels) submitted by the owner, one small one (one level)
    # submitted by the accountant: the approvers have the three, the owner and the director none yet
    big = [
        invoice_submit(invoice=_invoice(entity, customer, product, owner, "3"), by=owner) for _ in range(2)
    ]
    small = invoice_submit(invoice=_invoice(entity, customer, product, colleague, "0.1"), by=colleague)
    assert small.status == Status.PENDING_APPROVAL
    assert _counts(people, entity) == [0, 3, 3, 0]
    # when the first level approves one big invoice: the director has it, and it left that approver's
    # list (approved already) and the other's (their level is over)
    invoice_approve(invoice=big[0], by=approver)
    assert _counts(people, entity) == [0, 2, 2, 1]
    # when the director is away today: the delegate has it instead
    delegation_save(entity=entity, by=owner, user=director, delegate=approver2,
                    starts_on=dt.date(2024, 2, 28), ends_on=dt.date(2024, 2, 29))  # fmt: skip
    assert _counts(people, entity) == [0, 2, 3, 0]
    # when the delegate is made inactive: no longer a member for the first level, still the director's
    # stand-in for the second (the circuits' rule, `approvers.candidates`)
    approver2.is_active = False
    approver2.save()
    assert _counts(people, entity) == [0, 2, 1, 0]
    # and a document pending without any approval request (kept from before circuits) waits for anyone
    # who did not create or submit it
    legacy = _invoice(entity, customer, product, colleague, "1")
    Document.objects.filter(pk=legacy.pk).update(status=Status.PENDING_APPROVAL)
    assert _counts(people, entity) == [1, 3, 2, 1]


def test_nothing_pending_reads_one_query(entity, owner, approver, django_assert_num_queries, two_levels):
    with django_assert_num_queries(1):
        assert awaiting_approval_count(approver, entity) == 0


def test_a_pending_circuit_reads_four_queries(
    entity, owner, approver, draft_invoice, django_assert_num_queries, two_levels
):
    invoice_submit(invoice=draft_invoice, by=owner)
    with django_assert_num_queries(4):
        assert awaiting_approval_count(approver, entity) == 1


def test_an_api_key_counts_as_before(entity, owner, approver, draft_invoice, two_levels):
    from facturier.accounts.actor import as_actor
    from facturier.accounts.services import api_key_create

    key, _secret = api_key_create(entity=entity, name="k", scopes=["invoices:read"], by=as_actor(owner))
    invoice_submit(invoice=draft_invoice, by=owner)
    assert (
        awaiting_approval_count(as_actor(key), entity) == awaiting_approval_by(as_actor(key), entity).count()
    )
