"""The staff UI's approvals: nobody approves what they created or submitted, the "To approve" list and
its pages for approvers, and rejecting with a comment that the document's history keeps."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from facturier.accounts.roles import Role
from facturier.accounts.services import membership_set
from facturier.invoicing.services import LineData, document_create, invoice_submit
from tests.web.conftest import page_messages

REFUSED_FR = "Vous avez créé ou soumis ce document : quelqu'un d'autre doit l'approuver."
REFUSED_EN = "You created or submitted this document: someone else must approve it."


@pytest.fixture
def approval_entity(entity):
    entity.requires_approval = True
    entity.save()
    return entity


@pytest.fixture
def sales(approval_entity, owner):
    user = get_user_model().objects.create_user("sales", "sales@example.fr", "pw-sales-123", first_name="Thomas",
                                                last_name="Garnier")  # fmt: skip
    membership_set(entity=approval_entity, user=user, role=Role.SALES, by=owner)
    return user


def _invoice(entity, customer, product, by, quantity="2"):
    return document_create(entity=entity, kind="invoice", customer=customer, by=by,
                           lines=[LineData(product=product, quantity=Decimal(quantity))])  # fmt: skip


def _status(document) -> str:
    document.refresh_from_db()
    return document.status


def test_the_submitter_cannot_approve_from_the_document_page(client, approval_entity, draft_invoice, owner):
    # given the owner (an administrator, who may approve) submitted the invoice they created
    invoice_submit(invoice=draft_invoice, by=owner)
    client.force_login(owner)
    url = reverse("web:document-detail", kwargs={"pk": draft_invoice.pk})
    # when they open it, then there is no approve button but a reason why, and they may still withdraw it
    page = client.get(url)
    assert not page.context["actions"]["approve"]
    assert page.context["actions"]["reject"]
    assert REFUSED_FR in page.content.decode()
    # and when they post the approval anyway, then it is refused with the same words
    response = client.post(reverse("web:document-action", kwargs={"pk": draft_invoice.pk, "action": "approve"}),
                           follow=True)  # fmt: skip
    assert REFUSED_FR in page_messages(response)
    assert _status(draft_invoice) == "pending_approval"


def test_the_creator_cannot_approve_what_someone_else_submitted(
    client, approval_entity, draft_invoice, owner, colleague
):
    # given the owner created the invoice and the accountant submitted it
    invoice_submit(invoice=draft_invoice, by=colleague)
    client.force_login(owner)
    # when the owner approves it from the approvals page
    url = reverse("web:approval-decide", kwargs={"pk": draft_invoice.pk, "decision": "approve"})
    response = client.post(url, follow=True)
    # then it is refused, in French, and still pending
    assert REFUSED_FR in page_messages(response)
    assert _status(draft_invoice) == "pending_approval"


def test_the_refusal_is_in_english_for_an_english_speaking_user(
    client, approval_entity, draft_invoice, owner
):
    invoice_submit(invoice=draft_invoice, by=owner)
    client.force_login(owner)
    client.cookies["django_language"] = "en"
    url = reverse("web:approval-decide", kwargs={"pk": draft_invoice.pk, "decision": "approve"})
    assert REFUSED_EN in page_messages(client.post(url, follow=True))


def test_another_approver_approves_from_the_approvals_page(
    client, approval_entity, draft_invoice, owner, approver
):
    # given the owner created and submitted an invoice
    invoice_submit(invoice=draft_invoice, by=owner)
    client.force_login(approver)
    # when the approver approves it
    url = reverse("web:approval-decide", kwargs={"pk": draft_invoice.pk, "decision": "approve"})
    response = client.post(url)
    # then it is approved by them, and they are back on their list
    assert response.url == reverse("web:approval-list")
    draft_invoice.refresh_from_db()
    assert (draft_invoice.status, draft_invoice.approved_by) == ("approved", approver)


def test_the_list_shows_approvers_what_waits_for_them_but_not_their_own(
    client, approval_entity, customer, product, owner, colleague, sales
):
    # given three pending invoices: created by the owner, submitted by the owner, neither
    created_by_owner = _invoice(approval_entity, customer, product, owner, "1")
    invoice_submit(invoice=created_by_owner, by=sales)
    submitted_by_owner = _invoice(approval_entity, customer, product, sales, "2")
    invoice_submit(invoice=submitted_by_owner, by=owner)
    for_owner = _invoice(approval_entity, customer, product, sales, "3")
    invoice_submit(invoice=for_owner, by=colleague)
    _invoice(approval_entity, customer, product, sales, "4")  # a draft: nothing to approve yet
    client.force_login(owner)
    # when the owner opens "To approve"
    page = client.get(reverse("web:approval-list"))
    # then only the third is there, with its total, customer and submitter, and the menu counts it
    assert [document.pk for document in page.context["documents"]] == [for_owner.pk]
    html = page.content.decode()
    assert "3 060,00" in html.replace("\u202f", " ").replace("\xa0", " ")
    assert "Boulangerie Martin SARL" in html
    assert 'id="nav-approvals"' in html
    assert '<span class="badge nav-count"' in html
    assert ">1</span></a>" in html


def test_people_who_cannot_approve_have_no_approvals_page(client, approval_entity, sales):
    client.force_login(sales)
    assert 'id="nav-approvals"' not in client.get(reverse("web:dashboard")).content.decode()
    assert client.get(reverse("web:approval-list")).status_code == 404


def test_a_pending_document_page_shows_total_customer_due_date_and_lines(
    client, approval_entity, draft_invoice, owner, approver
):
    invoice_submit(invoice=draft_invoice, by=owner)
    client.force_login(approver)
    page = client.get(reverse("web:approval-detail", kwargs={"pk": draft_invoice.pk}))
    html = page.content.decode().replace("\u202f", " ").replace("\xa0", " ")
    assert "Boulangerie Martin SARL" in html
    assert "3 204,60 €" in html
    assert page.context["due_if_issued_today"] is not None
    assert 'id="due-date"' in html
    assert "Journée de conseil" in html
    assert "Frais de déplacement" in html
    assert 'data-action="approve"' in html
    assert 'data-action="reject"' in html


def test_rejecting_needs_a_comment_which_the_history_shows(
    client, approval_entity, draft_invoice, owner, approver
):
    invoice_submit(invoice=draft_invoice, by=owner)
    client.force_login(approver)
    url = reverse("web:approval-decide", kwargs={"pk": draft_invoice.pk, "decision": "reject"})
    # when the approver rejects without a comment, then the page asks for one and nothing changes
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 400
    assert "reason" in response.context["reject_form"].errors
    assert '<textarea name="reason"' in response.content.decode()
    assert _status(draft_invoice) == "pending_approval"
    # when they reject it with a comment
    client.post(url, {"reason": "Le tarif journalier est celui de 2025."})
    # then it is a draft again, and its page shows the comment in the history
    draft_invoice.refresh_from_db()
    assert (draft_invoice.status, draft_invoice.rejection_reason) == (
        "draft", "Le tarif journalier est celui de 2025."
    )  # fmt: skip
    client.force_login(owner)
    page = client.get(reverse("web:document-detail", kwargs={"pk": draft_invoice.pk}))
    history = page.content.decode().split('id="history"')[1]
    assert "Le tarif journalier est celui de 2025." in history
