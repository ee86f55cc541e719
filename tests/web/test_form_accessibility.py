"""Forms and lists as a screen reader or a keyboard finds them, checked in the HTML without a browser:
help texts and errors are linked to their fields by ids that exist, a failed save is summarised at
the top with a link to each field, draft rows have link names of their own, and saving, submitting
and approving say so in a polite status region that takes the focus."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from lxml import html

from facturier.accounts.roles import Role
from facturier.accounts.services import membership_set
from facturier.invoicing.models import Document, Kind, Status
from facturier.invoicing.services import LineData, document_create
from tests.web.test_documents import editor_data


def parse(response):
    return html.fromstring(response.content.decode())


def dangling_references(page) -> list[str]:
    """Ids named by aria-describedby / aria-labelledby / aria-controls that no element has."""
    ids = set(page.xpath("//@id"))
    missing = []
    for attribute in ("aria-describedby", "aria-labelledby", "aria-controls"):
        for element in page.xpath(f"//*[@{attribute}]"):
            missing += [f"{attribute}={name}" for name in element.get(attribute).split() if name not in ids]
    return missing


@pytest.mark.parametrize(
    "name", ["web:customer-create", "web:product-create", "web:company-settings", "web:approval-list"]
)
def test_pages_refer_only_to_ids_that_exist(owner_client, entity, name):
    # when a page with forms is shown
    page = parse(owner_client.get(reverse(name)))
    # then every aria reference points to an element of the page
    assert dangling_references(page) == []


def test_the_editor_refers_only_to_ids_that_exist_and_focuses_its_first_field(owner_client, entity, customer):
    # when the new invoice page is shown
    page = parse(owner_client.get(reverse("web:document-create", kwargs={"slug": "invoices"})))
    # then its references exist, the customer box has the focus and no summary is shown yet
    assert dangling_references(page) == []
    assert page.get_element_by_id("id_customer").get("autofocus") is not None
    assert page.xpath("//*[@id='error-summary']") == []
    # and the totals are not a live region re-read on every keystroke: one polite status says the total
    assert page.xpath("//*[@aria-live]") == []
    assert page.get_element_by_id("editor-announcer").get("role") == "status"
    # and the tables are regions named by their heading
    for region in page.xpath("//*[@data-scroll-region]"):
        assert region.get("role") == "region"
        assert page.get_element_by_id(region.get("aria-labelledby")).text_content()


def test_a_failed_save_shows_a_focused_summary_linking_each_field(owner_client, entity, customer):
    # given an invoice whose first line has a quantity that is not a number, and no customer
    data = editor_data(customer, [{"description": "Conseil", "quantity": "deux", "unit_price": "100"}])
    data["customer"] = ""
    # when it is saved
    response = owner_client.post(reverse("web:document-create", kwargs={"slug": "invoices"}), data)
    # then nothing is saved and the page says why, at the top, in an alert that takes the focus
    assert response.status_code == 200
    assert not Document.objects.filter(entity=entity).exists()
    page = parse(response)
    summary = page.get_element_by_id("error-summary")
    assert summary.get("role") == "alert"
    assert summary.get("tabindex") == "-1"
    assert summary.get("autofocus") is not None
    assert "2 problèmes à corriger" in summary.xpath(".//h2")[0].text_content()
    # and each problem links to its field, the line's named by its number
    links = {link.get("href"): link.text_content() for link in summary.xpath(".//a")}
    assert set(links) == {"#id_customer", "#id_lines-0-quantity"}
    assert links["#id_lines-0-quantity"].startswith("Ligne 1 — Quantité : ")
    # and the fields are marked invalid and described by their error, whose id exists
    quantity = page.get_element_by_id("id_lines-0-quantity")
    assert quantity.get("aria-invalid") == "true"
    assert "id_lines-0-quantity_error" in quantity.get("aria-describedby").split()
    assert "deux" in page.get_element_by_id("id_lines-0-quantity_error").text_content()
    assert page.get_element_by_id("id_customer").get("aria-invalid") == "true"
    assert dangling_references(page) == []
    # and the focus goes to the summary, not to the first field
    assert page.get_element_by_id("id_customer").get("autofocus") is None


def test_draft_links_in_the_list_each_have_a_name_of_their_own(owner_client, entity, customer, owner):
    # given two drafts of the same customer, for different amounts
    for price in ("100", "250"):
        document_create(entity=entity, kind=Kind.INVOICE, customer=customer, by=owner,
                        lines=[LineData(description="Conseil", unit_price=Decimal(price))])  # fmt: skip
    # when the invoices are listed
    page = parse(owner_client.get(reverse("web:document-list", kwargs={"slug": "invoices"})))
    # then each link is named by the customer and the amount too, though it shows only "Facture"
    names = [" ".join(link.text_content().split()) for link in page.xpath("//table[@id='document-table']//a")]
    assert len(names) == 2
    assert len(set(names)) == 2
    assert all(name.startswith("Facture, brouillon pour Boulangerie Martin SARL, ") for name in names)
    assert any("120,00" in name for name in names)


def status_region(response):
    page = parse(response)
    region = page.get_element_by_id("messages")
    assert region.get("role") == "status"
    assert region.get("autofocus") is not None  # a screen reader reads it: the focus is on it
    return " ".join(region.text_content().split())


def test_saving_submitting_and_approving_are_confirmed_politely(owner_client, entity, customer, owner):
    # given a company where invoices are approved by someone else
    entity.requires_approval = True
    entity.save()
    approver = get_user_model().objects.create_user("nadia", "nadia@example.fr", "pw-nadia-123")
    membership_set(entity=entity, user=approver, role=Role.APPROVER, by=owner)
    # when the owner saves a draft
    data = editor_data(customer, [{"description": "Conseil", "quantity": "1", "unit_price": "100"}])
    response = owner_client.post(
        reverse("web:document-create", kwargs={"slug": "invoices"}), data, follow=True
    )
    # then the page says it was saved
    assert status_region(response) == "Brouillon enregistré."
    invoice = Document.objects.get(entity=entity)
    # when they submit it
    url = reverse("web:document-action", kwargs={"pk": invoice.pk, "action": "submit"})
    response = owner_client.post(url, follow=True)
    assert "Demande d'approbation envoyée" in status_region(response)
    # when the approver approves it from the document page
    owner_client.force_login(approver)
    url = reverse("web:document-action", kwargs={"pk": invoice.pk, "action": "approve"})
    response = owner_client.post(url, follow=True)
    # then it says so too
    assert "Approbation enregistrée" in status_region(response)
    invoice.refresh_from_db()
    assert invoice.status == Status.APPROVED


def test_seldom_used_header_fields_are_folded_unless_they_hold_something(owner_client, entity, customer):
    url = reverse("web:document-create", kwargs={"slug": "invoices"})
    # when a new invoice is started: currency, references and note are folded behind one tab stop
    page = parse(owner_client.get(url))
    folded = page.get_element_by_id("more-fields")
    assert folded.get("open") is None
    assert folded.xpath(".//*[@id='id_buyer_reference']")
    assert folded.xpath(".//*[@id='id_note']")
    # when a save fails with a buyer reference typed: they are shown, what was typed with them
    data = editor_data(customer, [{"description": "Conseil", "quantity": "deux"}], buyer_reference="BR-12")
    page = parse(owner_client.post(url, data))
    assert page.get_element_by_id("more-fields").get("open") is not None
    assert page.get_element_by_id("id_buyer_reference").get("value") == "BR-12"
