"""Buttons follow the role table, the dashboard adds up receivables, and customers and products are
edited through their services."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from facturier.audit.models import AuditEvent
from facturier.catalog.models import Product
from facturier.invoicing.models import Kind
from facturier.invoicing.services import LineData, document_create, invoice_issue, invoice_submit
from facturier.parties.models import Customer


def buttons(response) -> set[str]:
    return set(response.context["actions"]) and {k for k, v in response.context["actions"].items() if v}


def test_auditor_sees_documents_but_no_action_button(member_client, draft_invoice):
    client = member_client("auditor")
    page = client.get(reverse("web:document-detail", kwargs={"pk": draft_invoice.pk}))
    assert page.status_code == 200
    assert buttons(page) == set()
    assert 'data-action="issue"' not in page.content.decode()
    assert "Nouvelle facture" not in client.get(reverse("web:dashboard")).content.decode()


def test_auditor_posting_an_action_anyway_changes_nothing(member_client, draft_invoice):
    client = member_client("auditor")
    client.post(reverse("web:document-action", kwargs={"pk": draft_invoice.pk, "action": "issue"}))
    draft_invoice.refresh_from_db()
    assert draft_invoice.status == "draft"
    assert not draft_invoice.number
    assert client.get(reverse("web:document-edit", kwargs={"pk": draft_invoice.pk})).status_code == 404
    assert client.get(reverse("web:customer-create")).status_code == 404


def test_sales_may_edit_and_submit_but_not_issue(member_client, draft_invoice, entity):
    entity.requires_approval = True
    entity.save()
    page = member_client("sales").get(reverse("web:document-detail", kwargs={"pk": draft_invoice.pk}))
    assert buttons(page) == {"edit", "delete", "submit"}


def test_approver_approves_a_submitted_invoice_but_cannot_issue_it(
    member_client, draft_invoice, entity, owner
):
    entity.requires_approval = True
    entity.save()
    invoice_submit(invoice=draft_invoice, by=owner)
    client = member_client("approver")
    page = client.get(reverse("web:document-detail", kwargs={"pk": draft_invoice.pk}))
    assert buttons(page) == {"approve", "reject"}
    client.post(reverse("web:document-action", kwargs={"pk": draft_invoice.pk, "action": "approve"}))
    draft_invoice.refresh_from_db()
    assert draft_invoice.status == "approved"
    page = client.get(reverse("web:document-detail", kwargs={"pk": draft_invoice.pk}))
    assert "issue" not in buttons(page)


def test_rejecting_needs_a_reason(owner_client, draft_invoice, entity, owner):
    entity.requires_approval = True
    entity.save()
    invoice_submit(invoice=draft_invoice, by=owner)
    url = reverse("web:document-action", kwargs={"pk": draft_invoice.pk, "action": "reject"})
    assert "reason" in owner_client.post(url, {"reason": ""}).context["reject_form"].errors
    owner_client.post(url, {"reason": "Mauvais client"})
    draft_invoice.refresh_from_db()
    assert (draft_invoice.status, draft_invoice.rejection_reason) == ("draft", "Mauvais client")


@pytest.mark.time_machine(dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC))
def test_dashboard_shows_outstanding_overdue_and_counts(owner_client, entity, customer, product, owner):
    # given an invoice issued long ago (overdue) and a draft
    old = document_create(entity=entity, kind=Kind.INVOICE, customer=customer, by=owner,
                          lines=[LineData(product=product, quantity=Decimal("1"))])  # fmt: skip
    invoice_issue(invoice=old, by=owner, issue_date=dt.date.today() - dt.timedelta(days=90))
    document_create(entity=entity, kind=Kind.INVOICE, customer=customer, by=owner,
                    lines=[LineData(product=product, quantity=Decimal("1"))])  # fmt: skip
    # when the dashboard is opened
    page = owner_client.get(reverse("web:dashboard"))
    board = page.context["board"]
    # then the issued invoice is outstanding and overdue, and each status is counted
    assert board.outstanding == Decimal("1020.00")
    assert board.overdue == Decimal("1020.00")
    assert board.overdue_count == 1
    assert {status: n for status, _, n in board.by_status} == {"issued": 1, "draft": 1}
    assert "1\u202f020,00\xa0€" in page.content.decode()
    # and its overdue card leads to the list of overdue invoices
    overdue = owner_client.get(
        reverse("web:document-list", kwargs={"slug": "invoices"}), {"status": "overdue"}
    )
    assert [d.pk for d in overdue.context["page"]] == [old.pk]


def test_user_creates_a_customer_through_the_service(owner_client, entity):
    data = {"code": "C900", "name": "Fromagerie Blanc", "kind": "business", "siren": "732829320",
            "address_line1": "4 rue du Lait", "postcode": "39000", "city": "Lons", "country": "FR",
            "language": "fr", "currency": "EUR", "payment_terms": "45eom", "vat_regime": "domestic",
            "is_active": "on"}  # fmt: skip
    response = owner_client.post(reverse("web:customer-create"), data)
    customer = Customer.objects.get(entity=entity, code="C900")
    assert response["Location"] == reverse("web:customer-detail", kwargs={"pk": customer.pk})
    assert customer.siren == "732829320"
    assert AuditEvent.objects.filter(action="customer.created", object_id=str(customer.pk)).exists()


def test_invalid_siren_is_a_form_error_and_no_customer_is_created(owner_client, entity):
    data = {"code": "C901", "name": "Faux", "kind": "business", "siren": "123456789", "address_line1": "1",
            "postcode": "1", "city": "x", "country": "FR", "language": "fr", "currency": "EUR",
            "payment_terms": "net30", "vat_regime": "domestic"}  # fmt: skip
    response = owner_client.post(reverse("web:customer-create"), data)
    assert response.status_code == 200
    assert "siren" in response.context["form"].errors
    assert not Customer.objects.filter(code="C901").exists()


def test_user_edits_a_customer_and_sees_their_documents(owner_client, customer, draft_invoice):
    page = owner_client.get(reverse("web:customer-detail", kwargs={"pk": customer.pk}))
    assert page.context["documents"] == [draft_invoice]
    data = {name: getattr(customer, name) for name in (
        "code", "kind", "siren", "address_line1", "postcode", "city", "country", "language", "currency",
        "payment_terms", "vat_regime")}  # fmt: skip
    data["name"] = "Boulangerie Martin et Fils"
    owner_client.post(reverse("web:customer-edit", kwargs={"pk": customer.pk}), data)
    customer.refresh_from_db()
    assert customer.name == "Boulangerie Martin et Fils"


def test_customer_list_searches_by_name(owner_client, customer):
    assert list(owner_client.get(reverse("web:customer-list"), {"q": "martin"}).context["page"]) == [customer]
    assert list(owner_client.get(reverse("web:customer-list"), {"q": "zzz"}).context["page"]) == []


def test_user_creates_and_edits_a_product(owner_client, entity):
    data = {"sku": "FORM-H", "name": "Heure de formation", "unit": "HUR", "unit_price": "95.50",
            "vat_category": "S", "vat_rate": "20", "accounting_category": "services", "is_active": "on"}  # fmt: skip
    assert owner_client.post(reverse("web:product-create"), data).status_code == 302
    product = Product.objects.get(entity=entity, sku="FORM-H")
    assert product.unit_price == Decimal("95.50")
    owner_client.post(reverse("web:product-edit", kwargs={"pk": product.pk}), {**data, "unit_price": "99"})
    product.refresh_from_db()
    assert product.unit_price == Decimal("99")
    assert list(owner_client.get(reverse("web:product-list"), {"q": "formation"}).context["page"]) == [
        product
    ]


def test_standard_rate_at_zero_is_a_form_error_and_nothing_is_saved(owner_client, entity):
    data = {"sku": "BAD", "name": "Mauvais", "unit": "C62", "unit_price": "10", "vat_category": "S",
            "vat_rate": "0", "accounting_category": "goods"}  # fmt: skip
    response = owner_client.post(reverse("web:product-create"), data)
    assert response.status_code == 200
    assert "vat_rate" in response.context["form"].errors
    assert not Product.objects.filter(sku="BAD").exists()


def test_user_adds_and_removes_a_customer_contact(owner_client, customer):
    url = reverse("web:customer-contact-add", kwargs={"pk": customer.pk})
    # a contact without a name, or with a bad email, is a form error and nothing is saved
    page = owner_client.post(url, {"name": "", "email": "not-an-email"})
    assert page.context["contact_form"].errors.keys() == {"name", "email"}
    assert not customer.contacts.exists()
    # a valid one is added and shown
    page = owner_client.post(url, {"name": "Julie Martin", "role": "Comptable", "email": "julie@martin.example",
                                   "is_billing_contact": "on"}, follow=True)  # fmt: skip
    contact = customer.contacts.get()
    assert contact.is_billing_contact
    assert "julie@martin.example" in page.content.decode()
    # and removed
    owner_client.post(
        reverse("web:customer-contact-delete", kwargs={"pk": customer.pk, "contact_pk": contact.pk})
    )
    assert not customer.contacts.exists()


def test_auditor_cannot_add_a_contact(member_client, customer):
    client = member_client("auditor")
    response = client.post(reverse("web:customer-contact-add", kwargs={"pk": customer.pk}), {"name": "X"})
    assert response.status_code == 404
    assert not customer.contacts.exists()
