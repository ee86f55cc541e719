"""Document lists of the staff UI: the sections (per kind) and their filter form.

Which rows a section shows and how they are filtered, searched and ordered is
`invoicing.selectors` (shared with the API); settlement filters are `payments.selectors`. This
module only turns the query string into those calls.
"""

import base64
import binascii
import datetime as dt
import json
import uuid
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from facturier.accounts.models import LegalEntity
from facturier.invoicing import selectors
from facturier.invoicing.models import Document, Kind, Status, TypeCode
from facturier.invoicing.selectors import ListPosition, after, before, newest_first, oldest_first
from facturier.invoicing.services.common import entity_today
from facturier.parties.models import Customer
from facturier.payments.selectors import Settlement, settled_as, still_owed, with_settled_amounts
from facturier.web.access import of_entity
from facturier.web.forms.documents import CustomerPicker
from facturier.web.keyset import COUNT_UP_TO, PAGE_SIZE, KeysetPage
from facturier.web.labels import status_text

# A free-text search is counted only this far: a common term ("Atelier") matches a tenth of a 1M-invoice
# history, and counting 1,000 of them means checking each row's number and customer name (issue 9).
SEARCH_COUNT_UP_TO = 100


# The columns a list row shows (web/documents/list.html, the dashboard's latest invoices): a document has
# some seventy, three of them JSON, and reading, converting and holding all of them for each row of a page
# was a good part of a list's CPU time (issue 9). A template reading another field would cost one
# query per row, which tests/web/test_query_counts.py catches.
ROW_FIELDS = ("kind", "type_code", "status", "number", "customer", "customer__name", "issue_date", "due_date",
              "currency", "tax_exclusive", "tax_inclusive", "payable", "seal_hash", "created_at")  # fmt: skip


@dataclass(frozen=True)
class Section:
    slug: str
    kind: str
    title: Promise
    singular: Promise
    new_label: Promise
    statuses: tuple[str, ...]
    credit_notes: bool | None = None  # None: not an invoice list

    def documents(self, entity: LegalEntity) -> QuerySet[Document]:
        """The section's documents with the amounts paid and credited (`settle` the rows read)."""
        rows = selectors.documents_in(entity, kind=self.kind, credit_notes=self.credit_notes)
        return with_settled_amounts(rows.select_related("customer"))


S = Status
OPEN, OVERDUE = "open", "overdue"  # derived filters: awaiting payment, and past the due date
_INVOICE_STATUSES = (S.DRAFT, S.PENDING_APPROVAL, S.APPROVED, S.ISSUED, S.SENT, S.DISPUTED, S.CANCELLED,
                     S.REFUSED)  # fmt: skip
# Filters on settlement, derived from payments (payments.selectors), offered beside the statuses
PARTIALLY_PAID, PAID = Settlement.PARTIALLY_PAID.value, Settlement.PAID.value
_QUOTE_STATUSES = (S.DRAFT, S.SENT, S.ACCEPTED, S.DECLINED, S.CONVERTED)
SECTIONS = {
    section.slug: section
    for section in (
        Section("quotes", Kind.QUOTE, _("Quotes"), _("Quote"), _("New quote"), _QUOTE_STATUSES),
        Section("orders", Kind.ORDER, _("Orders"), _("Order"), _("New order"), (S.DRAFT, S.CONFIRMED, S.CONVERTED)),
        Section("invoices", Kind.INVOICE, _("Invoices"), _("Invoice"), _("New invoice"), _INVOICE_STATUSES,
                credit_notes=False),
        Section("credit-notes", Kind.INVOICE, _("Credit notes"), _("Credit note"), _("New credit note"),
                _INVOICE_STATUSES, credit_notes=True),
    )
}  # fmt: skip


def section_named(slug: str) -> Section:
    try:
        return SECTIONS[slug]
    except KeyError:
        raise Http404 from None


def section_of(document: Document) -> Section:
    if document.kind == Kind.INVOICE:
        return SECTIONS["credit-notes" if document.is_credit_note else "invoices"]
    return SECTIONS["quotes" if document.kind == Kind.QUOTE else "orders"]


class DocumentFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    # a search with suggestions (web:lookup), never a drop-down of every customer (issue 9)
    customer = CustomerPicker(
        label=_("Customer"), queryset=Customer.objects.none(), required=False, source="customers",
        exact_fields=("code", "siren", "name"),
    )  # fmt: skip
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, entity: LegalEntity, section: Section, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.entity = entity
        type_code = TypeCode.CREDIT_NOTE if section.credit_notes else ""
        choices: list[tuple[str, Any]] = [
            ("", _("All")),
            *((s, status_text(s, section.kind, type_code)) for s in section.statuses),
        ]
        if section.credit_notes is False:
            choices += [
                (PARTIALLY_PAID, status_text(PARTIALLY_PAID, section.kind)),
                (PAID, status_text(PAID, section.kind)),
                (OPEN, _("Awaiting payment")),
                (OVERDUE, _("Overdue")),
            ]
        self.fields["status"].choices = choices  # type: ignore[attr-defined]
        self.fields["customer"].queryset = of_entity(Customer, entity)  # type: ignore[attr-defined]

    def apply(self, rows: QuerySet[Document]) -> QuerySet[Document]:
        """Narrow `rows` by the valid filters; an invalid filter is shown as a form error and ignored."""
        if not self.is_valid():
            return rows
        data = self.cleaned_data
        status = data.get("status") or ""
        if status in (PARTIALLY_PAID, PAID):
            settled = [Settlement.PAID, Settlement.OVERPAID] if data["status"] == PAID else [PARTIALLY_PAID]
            rows = settled_as(rows, *settled)
        elif status in (OPEN, OVERDUE):
            rows = still_owed(rows)
            if status == OVERDUE:
                rows = rows.filter(due_date__lt=entity_today(self.entity))
        lifecycle_status = "" if status in (PARTIALLY_PAID, PAID, OPEN, OVERDUE) else status
        filters = selectors.DocumentFilters(
            status=lifecycle_status, customer=data.get("customer"), date_from=data.get("date_from"),
            date_to=data.get("date_to"), search=data.get("q") or "",
        )  # fmt: skip
        return selectors.filtered(rows, filters, entity=self.entity)


def encode_position(position: ListPosition) -> str:
    """An opaque `after=` value for the next page's link (URL-safe base64 of JSON)."""
    raw = json.dumps(
        {"d": position.issue_date.isoformat() if position.issue_date else None,
         "c": position.created_at.isoformat(), "i": str(position.pk)},
        separators=(",", ":"),
    )  # fmt: skip
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_position(value: str) -> ListPosition | None:
    """The position an `after=` value names; None (the first page) when it is not one."""
    try:
        data = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
        created_at = dt.datetime.fromisoformat(data["c"])
        issue_date = dt.date.fromisoformat(data["d"]) if data["d"] else None
        return ListPosition(issue_date, created_at, uuid.UUID(data["i"]))
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError):
        return None


def list_page(
    rows: QuerySet[Document], cursor: str, size: int = PAGE_SIZE, *, before_cursor: str = "",
    searching: bool = False,
) -> KeysetPage:  # fmt: skip
    """The page of `rows` (filtered, annotated) after the `after=` cursor (or before the `before=`
    one), newest first (the cursor is a `ListPosition`, the order of `invoicing.selectors`), counted up
    to `COUNT_UP_TO`, or `SEARCH_COUNT_UP_TO` when `searching` a free-text term."""
    cap = SEARCH_COUNT_UP_TO if searching else COUNT_UP_TO
    count = rows.order_by().values("pk")[: cap + 1].count()
    back = decode_position(before_cursor) if before_cursor else None
    if back is not None:
        earlier = list(before(oldest_first(rows), back)[: size + 1])
        more_before = len(earlier) > size
        page = list(reversed(earlier[:size]))
        return KeysetPage(
            rows=page, next_cursor=encode_position(ListPosition.of(page[-1])) if page else "",
            previous_cursor=encode_position(ListPosition.of(page[0])) if more_before else "",
            count=count, is_first=not more_before, more_than=cap,
        )  # fmt: skip
    position = decode_position(cursor) if cursor else None
    ordered = newest_first(rows)
    page = list((after(ordered, position) if position else ordered)[: size + 1])
    more = len(page) > size
    page = page[:size]
    return KeysetPage(
        rows=page, next_cursor=encode_position(ListPosition.of(page[-1])) if more else "",
        previous_cursor=encode_position(ListPosition.of(page[0])) if position is not None and page else "",
        count=count, is_first=position is None, more_than=cap,
    )  # fmt: skip
