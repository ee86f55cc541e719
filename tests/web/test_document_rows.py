"""The rows of the document lists, written by one tag (web/templatetags/facturier_rows.py): each cell says
what the template said, values escaped, drafts described for screen readers in the page's language."""

import datetime as dt
import re
from decimal import Decimal

import time_machine
from django.urls import reverse

from facturier.invoicing.services import LineData, document_create, invoice_issue
from facturier.payments.services import payment_record_for_invoice

ISSUED_ON = dt.date(2026, 3, 6)


def rows_of(html: str) -> list[str]:
    """The `<tr>` of the list's body."""
    body = html[html.index("<tbody>", html.index('id="document-table"')) : html.index("</tbody>")]
    return re.findall(r"<tr>.*?</tr>", body, flags=re.S)


def cells(row: str) -> list[str]:
    return [cell.strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]


@time_machine.travel(dt.datetime(2026, 5, 20, 10, 0, tzinfo=dt.UTC), tick=False)
def test_each_row_shows_number_date_customer_badges_amounts_and_due_date(
    owner_client, entity, customer, product, owner
):
    # given a customer whose name needs escaping, a partly paid issued invoice past its due date, and a draft
    customer.name = "Dupont & <Fils>"
    customer.save()
    lines = [LineData(product=product, quantity=Decimal("2"))]
    issued = document_create(entity=entity, kind="invoice", customer=customer, by=owner, lines=lines)
    issued = invoice_issue(invoice=issued, by=owner, issue_date=ISSUED_ON)
    payment_record_for_invoice(invoice=issued, amount=Decimal("10.00"), received_on=ISSUED_ON, by=owner)
    draft = document_create(entity=entity, kind="invoice", customer=customer, by=owner, lines=lines)
    # when the invoice list is shown in French
    html = owner_client.get(reverse("web:document-list", kwargs={"slug": "invoices"})).content.decode()
    # then the draft comes first: its kind, and for screen readers its customer, amount and creation time
    draft_row, issued_row = rows_of(html)
    name, date, who, badges, excl, incl, due = cells(draft_row)
    assert name == (
        f'<a href="/documents/{draft.pk}/">Facture<span class="sr-only">, brouillon pour Dupont &amp; &lt;Fils&gt;, '
        "2\u202f040,00\xa0€, créé le 20/05/2026 12:00</span></a>"  # created at noon, Paris time
    )
    assert (date, who, excl, incl, due) == (
        "—",
        "Dupont &amp; &lt;Fils&gt;",
        "1\u202f700,00\xa0€",
        "2\u202f040,00\xa0€",
        "—",
    )
    assert badges == '<span class="badge status-draft">Brouillon</span>'
    # and the issued invoice: its number, day-first dates, the badges of a partly paid overdue invoice
    name, date, who, badges, excl, incl, due = cells(issued_row)
    assert name == f'<a href="/documents/{issued.pk}/">{issued.number}</a>'
    assert (date, due) == ("06/03/2026", issued.due_date.strftime("%d/%m/%Y"))
    assert badges == (
        '<span class="badge status-issued">Émise</span> <span class="badge status-partially_paid">Partiellement '
        'payée</span> <span class="badge overdue">En retard</span>'
    )


def test_an_empty_list_says_so(owner_client, entity):
    html = owner_client.get(reverse("web:document-list", kwargs={"slug": "credit-notes"})).content.decode()
    body = html[html.index("<tbody>", html.index('id="document-table"')) : html.index("</tbody>")]
    assert re.findall(r"<tr>.*?</tr>", body) == [
        '<tr><td colspan="7" class="muted empty">Aucun document ne correspond.</td></tr>'
    ]
