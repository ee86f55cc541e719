"""The reads the web UI and the API share: which documents a list shows and how it filters them, what
an actor may do on a document (the one lifecycle and the one authorization), and its history."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from facturier.accounts.roles import Role
from facturier.accounts.services import api_key_create, membership_set
from facturier.common.errors import ValidationFailed
from facturier.invoicing import selectors
from facturier.invoicing.models import Kind, Status, TypeCode
from facturier.invoicing.selectors import DocumentFilters, available_actions, filtered, history_of
from facturier.invoicing.services import (
    LineData,
    credit_note_create,
    document_create,
    invoice_approve,
    invoice_issue,
    invoice_submit,
    quote_set_status,
)
from facturier.parties.models import Customer
from tests.conftest import make_entity

LINES = [LineData(description="Audit", quantity=Decimal("1"), unit_price=Decimal("100.00"))]


def _member(entity, owner, role: Role):
    user = get_user_model().objects.create_user(f"user-{role}", f"{role}@example.fr", "pw-member-123")
    membership_set(entity=entity, user=user, role=role, by=owner)
    return user


def _document(entity, customer, owner, kind=Kind.INVOICE, **extra):
    return document_create(entity=entity, kind=kind, customer=customer, by=owner, lines=LINES, **extra)


def _buttons(actions: dict[str, bool]) -> set[str]:
    return {name for name, shown in actions.items() if shown}


# --- lists -----------------------------------------------------------------------------------------


def test_each_slice_shows_its_own_kind_of_document_and_never_another_companys(
    entity, customer, owner, outsider
):
    # given a quote, an order, an issued invoice and its credit note, and another company's invoice
    quote = _document(entity, customer, owner, Kind.QUOTE)
    order = _document(entity, customer, owner, Kind.ORDER)
    invoice = invoice_issue(invoice=_document(entity, customer, owner), by=owner)
    credit_note = credit_note_create(invoice=invoice, by=owner)
    other = make_entity(name="Tierce SAS", siren="356000000", admin_user=None)
    stranger = Customer.objects.create(entity=other, code="X", name="Client X", country="FR")
    _document(other, stranger, None)
    # when each slice is read, then it holds exactly its documents
    assert list(selectors.documents_of(entity, "quotes")) == [quote]
    assert list(selectors.documents_of(entity, "orders")) == [order]
    assert list(selectors.documents_of(entity, "invoices")) == [invoice]
    assert list(selectors.documents_of(entity, "credit_notes")) == [credit_note]


def test_filters_narrow_by_status_customer_dates_type_and_search(entity, customer, owner):
    # given two customers, an issued invoice for one and a draft for the other
    other = Customer.objects.create(entity=entity, code="C002", name="Fromagerie Durand", country="FR")
    issued = invoice_issue(invoice=_document(entity, customer, owner), by=owner)
    draft = _document(entity, other, owner, type_code=TypeCode.DEPOSIT)
    documents = selectors.documents_of(entity, "invoices")

    def found(**filters):
        return set(filtered(documents, DocumentFilters(**filters)))

    # then each filter keeps only what it names
    assert found() == {issued, draft}
    assert found(status=Status.ISSUED) == {issued}
    assert found(customer=other) == {draft}
    assert found(customer=other.pk) == {draft}
    assert found(type_code=TypeCode.DEPOSIT) == {draft}
    assert found(date_from=issued.issue_date, date_to=issued.issue_date) == {issued}
    assert found(date_to=issued.issue_date - dt.timedelta(days=1)) == set()
    # and the search reads the number or the customer's name, whatever the case
    assert found(search=issued.number.lower()) == {issued}
    assert found(search="  durand ") == {draft}


def test_an_unknown_status_is_refused_naming_the_field(entity):
    with pytest.raises(ValidationFailed) as refused:
        filtered(selectors.documents_of(entity, "invoices"), DocumentFilters(status="paid-ish"))
    assert (refused.value.field, refused.value.code) == ("status", "invalid_choice")


def test_lists_show_drafts_first_then_the_latest_issued(entity, customer, owner):
    # given an invoice issued, then a draft created
    first = invoice_issue(invoice=_document(entity, customer, owner), by=owner)
    second = invoice_issue(invoice=_document(entity, customer, owner), by=owner)
    draft = _document(entity, customer, owner)
    # then the draft (no date yet) comes first, then the newest
    assert list(selectors.newest_first(selectors.documents_of(entity, "invoices"))) == [draft, second, first]


# --- available actions ---------------------------------------------------------------------------

DRAFT_INVOICE = {
    Role.ADMIN: {"edit", "delete", "issue"},
    Role.ACCOUNTANT: {"edit", "delete", "issue"},
    Role.SALES: {"edit", "delete"},
    Role.APPROVER: set(),
    Role.AUDITOR: set(),
}


@pytest.mark.parametrize("role", list(DRAFT_INVOICE))
def test_a_draft_invoice_offers_what_the_role_allows(entity, customer, owner, role):
    # given a draft invoice in a company that issues without approval
    draft = _document(entity, customer, owner)
    user = owner if role == Role.ADMIN else _member(entity, owner, role)
    # then the buttons are those of the role
    assert _buttons(available_actions(user, draft)) == DRAFT_INVOICE[role]


def test_with_approval_a_draft_is_submitted_then_approved_by_someone_else(entity, customer, owner):
    # given a company that requires approval, and a draft created by the owner
    entity.requires_approval = True
    entity.save()
    approver = _member(entity, owner, Role.APPROVER)
    draft = _document(entity, customer, owner)
    # then the draft is submitted, not issued
    assert _buttons(available_actions(owner, draft)) == {"edit", "delete", "submit"}
    # when it is submitted
    pending = invoice_submit(invoice=draft, by=owner)
    # then its author may only withdraw it, while the approver may decide
    assert _buttons(available_actions(owner, pending)) == {"reject"}
    assert _buttons(available_actions(approver, pending)) == {"approve", "reject"}
    # and once approved it is issued by a role that issues, not by the approver
    approved = invoice_approve(invoice=pending, by=approver)
    assert _buttons(available_actions(owner, approved)) == {"issue"}
    assert _buttons(available_actions(approver, approved)) == set()


def test_an_issued_invoice_is_sent_paid_or_credited_by_an_accountant_only(entity, customer, owner):
    invoice = invoice_issue(invoice=_document(entity, customer, owner), by=owner)
    accountant = _member(entity, owner, Role.ACCOUNTANT)
    sales = _member(entity, owner, Role.SALES)
    assert _buttons(available_actions(accountant, invoice)) == {"mark_sent", "send", "payment", "credit"}
    assert _buttons(available_actions(sales, invoice)) == set()


def test_a_credit_note_is_neither_paid_nor_credited_and_a_cancelled_invoice_is_not_credited_again(
    entity, customer, owner
):
    # given an invoice credited in full
    invoice = invoice_issue(invoice=_document(entity, customer, owner), by=owner)
    credit_note = invoice_issue(invoice=credit_note_create(invoice=invoice, by=owner), by=owner)
    invoice.refresh_from_db()
    assert invoice.status == Status.CANCELLED
    # then the credit note can only be sent, and the cancelled invoice offers nothing
    assert _buttons(available_actions(owner, credit_note)) == {"mark_sent", "send"}
    assert _buttons(available_actions(owner, invoice)) == set()


def test_quotes_and_orders_follow_their_lifecycle(entity, customer, owner):
    quote = _document(entity, customer, owner, Kind.QUOTE)
    assert _buttons(available_actions(owner, quote)) == {"edit", "to_order", "to_invoice", "quote_status"}
    accepted = quote_set_status(quote=quote, status=Status.ACCEPTED, by=owner)
    assert _buttons(available_actions(owner, accepted)) == {"to_order", "to_invoice"}
    declined = quote_set_status(
        quote=_document(entity, customer, owner, Kind.QUOTE), status=Status.DECLINED, by=owner
    )
    assert _buttons(available_actions(owner, declined)) == set()
    order = _document(entity, customer, owner, Kind.ORDER)
    assert _buttons(available_actions(owner, order)) == {"edit", "to_invoice", "confirm"}


def test_an_api_key_may_do_what_its_scopes_allow(entity, customer, owner):
    # given a draft invoice and two keys: one that reads, one that writes invoices
    draft = _document(entity, customer, owner)
    reader, _secret = api_key_create(entity=entity, name="reader", scopes=["invoices:read"], by=owner)
    writer, _secret = api_key_create(entity=entity, name="writer", scopes=["invoices:write"], by=owner)
    # then only the writer may change it
    assert _buttons(available_actions(reader, draft)) == set()
    assert _buttons(available_actions(writer, draft)) == {"edit", "delete", "issue"}


def test_another_companys_member_may_do_nothing(entity, customer, owner, outsider):
    draft = _document(entity, customer, owner)
    assert _buttons(available_actions(outsider, draft)) == set()


# --- history -------------------------------------------------------------------------------------


def test_history_lists_the_documents_own_events_oldest_first(entity, customer, owner):
    # given two drafts (each with its own creation event), one of them issued
    draft = _document(entity, customer, owner)
    _document(entity, customer, owner)
    invoice_issue(invoice=draft, by=owner)
    # then the issued one's history is its creation then its issue, with who did it
    events = list(history_of(draft))
    assert [event.action for event in events][-1] == "invoice.issued"
    assert {event.object_id for event in events} == {str(draft.pk)}
    assert all(event.actor == owner for event in events)
    positions = [(event.occurred_at, event.position) for event in events]
    assert positions == sorted(positions)


def test_keyset_pages_walk_the_list_order_once(entity, customer, owner):
    # given issued invoices and drafts mixed
    for _ in range(3):
        invoice_issue(invoice=_document(entity, customer, owner), by=owner)
    for _ in range(2):
        _document(entity, customer, owner)
    everything = list(selectors.newest_first(selectors.documents_of(entity, "invoices")))
    # when the list is read one row at a time, each page after the last row seen
    walked = []
    rows = selectors.newest_first(selectors.documents_of(entity, "invoices"))
    page = list(rows[:1])
    while page:
        walked += page
        page = list(selectors.after(rows, selectors.ListPosition.of(page[-1]))[:1])
    # then every row comes once, in the list's order (drafts, then the latest issued)
    assert walked == everything
