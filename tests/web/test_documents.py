"""Document pages: lists with filters and search, the editor and its live totals, and the lifecycle
buttons from quote to credit note."""

from decimal import Decimal

import pytest
from django.urls import reverse

from facturier.invoicing.models import Document, Kind, Status, TypeCode
from facturier.invoicing.services import LineData, document_create, invoice_issue
from facturier.parties.models import Customer
from facturier.payments.models import Payment
from facturier.payments.selectors import Settlement, settlement_of
from tests.web.conftest import page_messages


def editor_data(customer, lines, *, allowances=(), **header):
    """The POST of the editor form: header, line formset and allowance/charge formset."""
    data = {
        "customer": str(customer.pk), "currency": "EUR", "payment_terms": "net30", "type_code": "380",
        "lines-TOTAL_FORMS": str(len(lines)), "lines-INITIAL_FORMS": "0",
        "ac-TOTAL_FORMS": str(len(allowances)), "ac-INITIAL_FORMS": "0",
        **header,
    }  # fmt: skip
    for index, line in enumerate(lines):
        data.update({f"lines-{index}-{name}": str(value) for name, value in line.items()})
    for index, item in enumerate(allowances):
        data.update({f"ac-{index}-{name}": str(value) for name, value in item.items()})
    return data


def action(client, document, name, **data):
    url = reverse("web:document-action", kwargs={"pk": document.pk, "action": name})
    return client.post(url, data, follow=True)


def issued_invoice(entity, customer, product, owner):
    invoice = document_create(entity=entity, kind=Kind.INVOICE, customer=customer, by=owner,
                              lines=[LineData(product=product, quantity=Decimal("2"))])  # fmt: skip
    return invoice_issue(invoice=invoice, by=owner)


def test_invoice_list_filters_by_status_customer_and_search(owner_client, entity, customer, product, owner):
    # given two invoices of two customers, one issued
    other = Customer.objects.create(entity=entity, code="C002", name="Garage Petit", address_line1="1 rue",
                                    postcode="75001", city="Paris")  # fmt: skip
    issued = issued_invoice(entity, customer, product, owner)
    document_create(entity=entity, kind=Kind.INVOICE, customer=other, by=owner,
                    lines=[LineData(description="Vidange", unit_price=Decimal("90"))])  # fmt: skip
    url = reverse("web:document-list", kwargs={"slug": "invoices"})

    def shown(**params):
        return [d.pk for d in owner_client.get(url, params).context["page"]]

    # then each filter narrows the list
    assert len(shown()) == 2
    assert shown(status="issued") == [issued.pk]
    assert shown(customer=str(other.pk)) != [issued.pk]
    # without JavaScript the search box alone is posted: a code or full name that names one customer
    assert len(shown(customer__search="C002")) == 1
    assert shown(customer__search="C002") == shown(customer=str(other.pk))
    assert len(shown(customer=str(other.pk))) == 1
    assert shown(q=issued.number) == [issued.pk]
    assert shown(q="petit") != [issued.pk]
    assert len(shown(q="petit")) == 1
    assert shown(date_from=str(issued.issue_date), date_to=str(issued.issue_date)) == [issued.pk]
    assert shown(date_to="2000-01-01") == []
    assert shown(status="open") == [issued.pk]
    assert shown(status="overdue") == []  # due in 30 days


def test_invoice_list_paginates_and_keeps_the_filters(owner_client, entity, customer, owner):
    for _ in range(27):
        document_create(entity=entity, kind=Kind.INVOICE, customer=customer, by=owner,
                        lines=[LineData(description="x", unit_price=Decimal("1"))])  # fmt: skip
    url = reverse("web:document-list", kwargs={"slug": "invoices"})
    first = owner_client.get(url, {"status": "draft"})
    assert len(first.context["page"]) == 25
    assert first.context["page"].count == 27
    # the next page is read after the last row shown (keyset), keeping the filters
    cursor = first.context["page"].next_cursor
    assert f"status=draft&amp;after={cursor}" in first.content.decode()
    second = owner_client.get(url, {"status": "draft", "after": cursor})
    assert len(second.context["page"]) == 2
    assert second.context["page"].next_cursor == ""
    seen = [d.pk for d in first.context["page"]] + [d.pk for d in second.context["page"]]
    assert len(set(seen)) == 27
    # "previous" reads the rows before the first one shown, and leads back to the first page
    back = owner_client.get(url, {"status": "draft", "before": second.context["page"].previous_cursor})
    assert [d.pk for d in back.context["page"]] == [d.pk for d in first.context["page"]]
    assert back.context["page"].is_first
    assert back.context["page"].previous_cursor == ""
    # a cursor that is not one shows the first page
    assert len(owner_client.get(url, {"status": "draft", "after": "nonsense!"}).context["page"]) == 25


def test_a_long_list_says_more_instead_of_counting_every_row(
    owner_client, entity, customer, owner, monkeypatch
):
    monkeypatch.setattr("facturier.web.listing.COUNT_UP_TO", 3)
    for _ in range(5):
        document_create(entity=entity, kind=Kind.INVOICE, customer=customer, by=owner,
                        lines=[LineData(description="x", unit_price=Decimal("1"))])  # fmt: skip
    page = owner_client.get(reverse("web:document-list", kwargs={"slug": "invoices"}))
    assert not page.context["page"].counted
    assert "Plus de 3 documents" in page.content.decode()  # the UI is in French


def test_a_search_is_counted_less_far_than_the_list(owner_client, entity, customer, owner, monkeypatch):
    monkeypatch.setattr("facturier.web.listing.SEARCH_COUNT_UP_TO", 2)
    for _ in range(3):
        document_create(entity=entity, kind=Kind.INVOICE, customer=customer, by=owner,
                        lines=[LineData(description="x", unit_price=Decimal("1"))])  # fmt: skip
    url = reverse("web:document-list", kwargs={"slug": "invoices"})
    listed = owner_client.get(url).context["page"]
    searched = owner_client.get(url, {"q": customer.name[:4]}).context["page"]
    assert listed.counted
    assert listed.count == 3
    assert not searched.counted
    assert searched.more_than == 2
    assert len(searched) == 3  # the page itself still shows every match


def test_credit_notes_have_their_own_list(owner_client, entity, customer, product, owner):
    invoice = issued_invoice(entity, customer, product, owner)
    action(owner_client, invoice, "credit-note")
    credit_notes = owner_client.get(reverse("web:document-list", kwargs={"slug": "credit-notes"})).context[
        "page"
    ]
    invoices = owner_client.get(reverse("web:document-list", kwargs={"slug": "invoices"})).context["page"]
    assert [d.type_code for d in credit_notes] == [TypeCode.CREDIT_NOTE]
    assert [d.pk for d in invoices] == [invoice.pk]


def test_user_creates_an_invoice_with_lines_and_an_allowance(owner_client, entity, customer, product):
    # when the editor is posted with a product line, a free line and a 10 % allowance
    data = editor_data(customer, [
        {"product": product.pk, "quantity": "2"},
        {"description": "Déplacement", "quantity": "1", "unit_price": "100", "vat_rate": "20"},
    ], allowances=[{"is_charge": "0", "reason": "Fidélité", "percent": "10", "vat_rate": "20"}])  # fmt: skip
    response = owner_client.post(reverse("web:document-create", kwargs={"slug": "invoices"}), data)
    # then a draft invoice exists with the totals computed by the domain
    document = Document.objects.get(entity=entity, kind=Kind.INVOICE)
    assert response.status_code == 302
    assert response["Location"] == f"/documents/{document.pk}/"
    assert document.status == Status.DRAFT
    assert [line.description for line in document.lines.all()] == ["Journée de conseil", "Déplacement"]
    assert document.line_total == Decimal("1800.00")
    assert document.allowance_total == Decimal("180.00")
    assert document.tax_inclusive == Decimal("1944.00")


def test_negative_quantity_on_an_invoice_is_a_form_error_and_nothing_is_written(owner_client, customer):
    data = editor_data(customer, [{"description": "Remboursement", "quantity": "-1", "unit_price": "50"}])
    response = owner_client.post(reverse("web:document-create", kwargs={"slug": "invoices"}), data)
    assert response.status_code == 200
    assert "négatives" in response.content.decode()
    assert not Document.objects.exists()


def test_malformed_amount_is_a_form_error_and_nothing_is_written(owner_client, customer):
    data = editor_data(customer, [{"description": "Conseil", "quantity": "abc", "unit_price": "1.2345678"}])
    response = owner_client.post(reverse("web:document-create", kwargs={"slug": "invoices"}), data)
    assert response.status_code == 200
    assert response.context["editor"].lines.forms[0].errors.keys() >= {"quantity", "unit_price"}
    assert not Document.objects.exists()


def test_another_companys_customer_cannot_be_chosen(owner_client, entity, customer):
    from tests.conftest import make_entity

    foreign = Customer.objects.create(entity=make_entity(name="Ailleurs SA", siren="732829320"), code="X",
                                      name="Étranger", address_line1="1", postcode="1", city="x")  # fmt: skip
    data = editor_data(foreign, [{"description": "Conseil", "quantity": "1", "unit_price": "10"}])
    response = owner_client.post(reverse("web:document-create", kwargs={"slug": "invoices"}), data)
    assert response.status_code == 200
    assert "customer" in response.context["editor"].header.errors
    assert not Document.objects.exists()


def test_live_totals_come_from_the_server_calculation(owner_client, customer, product):
    # given an editor with a product line, a 5.5 % line and a charge
    data = editor_data(customer, [
        {"product": product.pk, "quantity": "1.5"},
        {"description": "Livre", "quantity": "3", "unit_price": "10", "vat_rate": "5.5"},
    ], allowances=[{"is_charge": "1", "reason": "Port", "amount": "15", "vat_rate": "20"}], kind="invoice")  # fmt: skip
    # when the editor asks for the totals
    body = owner_client.post(reverse("web:document-totals"), data).json()
    # then they are the EN 16931 totals: VAT per rate on the rounded bases
    assert body["ok"] is True
    assert body["line_total"] == "1305.00"
    assert body["charge_total"] == "15.00"
    assert body["tax_exclusive"] == "1320.00"
    assert body["tax_total"] == "259.65"  # 20 % of 1290 + 5.5 % of 30
    assert body["tax_inclusive"] == "1579.65"
    assert body["display"]["tax_inclusive"] == "1\u202f579,65\xa0€"
    assert body["lines"] == {"lines-0": "1\u202f275,00\xa0€", "lines-1": "30,00\xa0€"}


def test_live_totals_report_a_business_error_instead_of_failing(owner_client, customer):
    data = editor_data(customer, [{"description": "x", "quantity": "-2", "unit_price": "10"}], kind="invoice")
    body = owner_client.post(reverse("web:document-totals"), data).json()
    assert body["ok"] is False
    assert "négatives" in body["errors"][0]


def test_user_edits_a_draft_and_an_issued_invoice_has_no_edit_page(owner_client, draft_invoice, owner):
    # when the draft's lines are replaced
    url = reverse("web:document-edit", kwargs={"pk": draft_invoice.pk})
    page = owner_client.get(url)
    assert page.context["editor"].lines.initial_form_count() == 2
    assert 'name="lines-0-vat_rate" value="20"' in page.content.decode()  # never "2E+1"
    assert 'name="lines-1-unit_price" value="120,5"' in page.content.decode()  # in French
    data = editor_data(
        draft_invoice.customer, [{"description": "Audit", "quantity": "2", "unit_price": "400"}]
    )
    data["lines-INITIAL_FORMS"] = "0"
    assert owner_client.post(url, data).status_code == 302
    draft_invoice.refresh_from_db()
    assert draft_invoice.tax_exclusive == Decimal("800.00")
    # then once issued, the edit page does not exist any more
    invoice_issue(invoice=draft_invoice, by=owner)
    assert owner_client.get(url).status_code == 404


def test_quote_becomes_an_order_then_an_invoice_and_the_links_are_shown(
    owner_client, entity, customer, product
):
    # given a quote created in the editor
    data = editor_data(customer, [{"product": product.pk, "quantity": "1"}])
    owner_client.post(reverse("web:document-create", kwargs={"slug": "quotes"}), data)
    quote = Document.objects.get(kind=Kind.QUOTE)
    assert quote.number
    # when it is converted to an order, then the order to an invoice
    action(owner_client, quote, "to-order")
    order = Document.objects.get(kind=Kind.ORDER)
    page = action(owner_client, order, "to-invoice")
    invoice = Document.objects.get(kind=Kind.INVOICE)
    # then the invoice page shows where it comes from, and the quote shows what it became
    assert page.context["document"] == invoice
    assert page.context["lineage"] == [quote, order]
    quote_page = owner_client.get(reverse("web:document-detail", kwargs={"pk": quote.pk}))
    assert list(quote_page.context["derived"]) == [order]
    assert quote.number in page.content.decode()
    assert order.number in page.content.decode()


def test_invoice_is_issued_paid_and_credited_from_its_page(owner_client, draft_invoice):
    # when the accountant issues the draft
    page = action(owner_client, draft_invoice, "issue")
    draft_invoice.refresh_from_db()
    # then it has its number, shown on the page, and its history
    assert draft_invoice.status == Status.ISSUED
    assert draft_invoice.number
    assert draft_invoice.number in page.content.decode()
    assert [e.action for e in page.context["history"]] == ["invoice.created", "invoice.issued"]
    # when a partial payment is recorded, then it is partially paid
    action(owner_client, draft_invoice, "mark-sent")
    action(
        owner_client, draft_invoice, "payment", amount="100.00", received_on="2026-01-15", reference="VIR 1"
    )
    draft_invoice.refresh_from_db()
    assert draft_invoice.status == Status.SENT
    assert settlement_of(draft_invoice).settlement == Settlement.PARTIALLY_PAID
    # when a credit note is created and issued
    page = action(owner_client, draft_invoice, "credit-note")
    credit_note = page.context["document"]
    assert credit_note.is_credit_note
    assert credit_note.preceding_invoice == draft_invoice
    action(owner_client, credit_note, "issue")
    credit_note.refresh_from_db()
    # then it is issued, and the invoice lists it
    assert credit_note.status == Status.ISSUED
    assert credit_note.number
    invoice_page = owner_client.get(reverse("web:document-detail", kwargs={"pk": draft_invoice.pk}))
    assert list(invoice_page.context["credit_notes"]) == [credit_note]
    assert credit_note.number in invoice_page.content.decode()


def test_overpayment_is_refused_with_a_message_and_nothing_is_recorded(
    owner_client, entity, customer, product, owner
):
    invoice = issued_invoice(entity, customer, product, owner)
    page = action(owner_client, invoice, "payment", amount="999999.00", received_on="2026-01-15")
    assert "dépasse" in " ".join(page_messages(page))
    assert not Payment.objects.filter(customer=customer).exists()


def test_bad_payment_input_is_a_form_error(owner_client, entity, customer, product, owner):
    invoice = issued_invoice(entity, customer, product, owner)
    page = action(owner_client, invoice, "payment", amount="-5", received_on="not a date")
    assert page.context["payment_form"].errors.keys() == {"amount", "received_on"}
    assert not Payment.objects.filter(customer=customer).exists()


def test_issuing_twice_is_refused_with_a_message(owner_client, draft_invoice, owner):
    invoice_issue(invoice=draft_invoice, by=owner)
    page = action(owner_client, draft_invoice, "issue")
    assert "pas disponible" in " ".join(page_messages(page))


def test_validation_findings_are_listed_under_the_error(rf, owner, entity):
    from django.contrib.messages.storage.fallback import FallbackStorage

    from facturier.common.errors import ValidationFailed
    from facturier.web.views.actions import show_error

    # given a refused issue whose e-invoice broke two rules
    request = rf.post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    error = ValidationFailed("The e-invoice breaks 2 rule(s).", code="einvoice_invalid", findings=[
        {"rule": "BR-FR-10", "severity": "error", "location": "/Invoice", "message": "SIREN manquant"},
        {"rule": "BR-CO-15", "severity": "error", "location": "/Invoice/Total", "message": "Total faux"},
    ])  # fmt: skip
    # when it is shown
    show_error(request, error)
    shown = [(m.tags, str(m)) for m in request._messages]
    # then the error comes first, then one line per finding
    assert shown[0][1].startswith(
        "La facture électronique enfreint les règles ci-dessous ; rien n'a été émis."
    )
    assert [text for tags, text in shown[1:] if "finding" in tags] == [
        "BR-FR-10 — SIREN manquant — /Invoice",
        "BR-CO-15 — Total faux — /Invoice/Total",
    ]


@pytest.mark.parametrize("slug", ["quotes", "orders", "invoices", "credit-notes"])
def test_every_list_renders(owner_client, draft_invoice, slug):
    assert owner_client.get(reverse("web:document-list", kwargs={"slug": slug})).status_code == 200


def test_credit_notes_are_not_created_from_the_editor(owner_client):
    assert (
        owner_client.get(reverse("web:document-create", kwargs={"slug": "credit-notes"})).status_code == 404
    )


def test_live_totals_ignore_a_row_still_being_typed(owner_client, customer):
    # given a complete line and a new row with only a quantity, and a price typed before its description
    data = editor_data(customer, [
        {"quantity": "1"},
        {"quantity": "2", "unit_price": "50", "vat_rate": "20"},
    ], kind="invoice")  # fmt: skip
    body = owner_client.post(reverse("web:document-totals"), data).json()
    # then the totals are those of the priced line, without complaining yet
    assert body["ok"] is True
    assert body["tax_inclusive"] == "120.00"
    assert list(body["lines"]) == ["lines-1"]


def test_live_totals_of_another_companys_or_a_malformed_document_are_not_found(
    outsider_client, draft_invoice
):
    url = reverse("web:document-totals")
    assert outsider_client.post(f"{url}?document={draft_invoice.pk}", {}).status_code == 404
    assert outsider_client.post(f"{url}?document=not-a-uuid", {}).status_code == 404


def test_garbage_in_the_query_string_or_the_form_never_breaks_a_page(owner_client, draft_invoice):
    url = reverse("web:document-list", kwargs={"slug": "invoices"})
    bad = {"status": "zzz", "customer": "nope", "date_from": "31/02/2026", "page": "999"}
    assert owner_client.get(url, bad).status_code == 200
    create = reverse("web:document-create", kwargs={"slug": "invoices"})
    assert owner_client.post(create, {"customer": "x"}).status_code == 200  # no management form
    assert owner_client.post(reverse("web:document-totals"), {}).json()["ok"] is False
    assert Document.objects.count() == 1


def test_only_the_customers_issued_deposits_are_offered(owner_client, entity, customer, product, owner):
    # given an issued deposit invoice of the customer, and a customer without any
    deposit = document_create(entity=entity, kind=Kind.INVOICE, customer=customer, by=owner,
                              type_code=TypeCode.DEPOSIT, lines=[LineData(product=product)])  # fmt: skip
    invoice_issue(invoice=deposit, by=owner)
    other = Customer.objects.create(entity=entity, code="C003", name="Sans acompte", address_line1="1",
                                    postcode="75001", city="Paris")  # fmt: skip
    create = reverse("web:document-create", kwargs={"slug": "invoices"})
    # then the invoice form offers the deposit to its customer only
    offered = owner_client.get(create, {"customer": str(customer.pk)}).context["editor"].header.fields
    assert list(offered["deposits"].queryset) == [deposit]
    assert (
        "deposits"
        not in owner_client.get(create, {"customer": str(other.pk)}).context["editor"].header.fields
    )


def test_a_draft_credit_note_can_be_reduced_to_a_partial_credit(
    owner_client, entity, customer, product, owner
):
    # given a draft credit note of a whole invoice (2 days of consulting)
    invoice = issued_invoice(entity, customer, product, owner)
    credit_note = action(owner_client, invoice, "credit-note").context["document"]
    url = reverse("web:document-edit", kwargs={"pk": credit_note.pk})
    editor = owner_client.get(url).context["editor"]
    assert "customer" in editor.header.fields
    assert editor.header.fields["customer"].disabled
    # when it is changed to credit one day only
    data = editor_data(customer, [{"product": product.pk, "quantity": "1"}])
    data.pop("type_code")
    assert owner_client.post(url, data).status_code == 302
    # then it credits one day, still against the invoice
    credit_note.refresh_from_db()
    assert credit_note.tax_inclusive == Decimal("1020.00")
    assert credit_note.preceding_invoice == invoice


def test_live_totals_equal_the_saved_documents_totals_even_under_reverse_charge(
    owner_client, entity, product
):
    # given an intra-EU customer (reverse charge on the lines) and an editor with a discount and a 20 % charge
    customer = Customer.objects.create(entity=entity, code="EU1", name="Brouwerij BV", address_line1="1 Markt",
                                       postcode="1000", city="Brussel", country="BE", vat_number="BE0403170701",
                                       vat_regime="intra_eu_reverse_charge")  # fmt: skip
    data = editor_data(customer, [
        {"product": product.pk, "quantity": "3", "discount_percent": "12.5"},
        {"description": "Licence", "quantity": "0.333", "unit_price": "99.99", "vat_rate": "20"},
    ], allowances=[{"is_charge": "1", "reason": "Port", "amount": "12.34", "vat_rate": "20"}], kind="invoice")  # fmt: skip
    # when the totals are previewed, then the document saved
    preview = owner_client.post(reverse("web:document-totals"), data).json()
    owner_client.post(reverse("web:document-create", kwargs={"slug": "invoices"}), data)
    saved = Document.objects.get(customer=customer)
    # then the preview showed exactly the saved figures, the lines and the charge under reverse charge (AE):
    # no French VAT is added to a reverse-charge invoice, whatever rate the charge was typed with
    assert [vat["label"].split()[0] for vat in preview["vat_breakdown"]] == ["AE"]
    for name in ("line_total", "charge_total", "tax_exclusive", "tax_total", "tax_inclusive", "payable"):
        assert Decimal(preview[name]) == getattr(saved, name), name


def test_issued_invoice_is_sent_as_an_e_invoice_from_its_page_and_the_history_says_so(
    owner_client, draft_invoice, django_capture_on_commit_callbacks, mailoutbox
):
    # given an issued invoice of a customer reached by email
    action(owner_client, draft_invoice, "issue")
    draft_invoice.refresh_from_db()
    draft_invoice.customer.email = "factures@martin.example"
    draft_invoice.customer.save()
    assert (
        "Envoyer la facture électronique"
        in owner_client.get(reverse("web:document-detail", kwargs={"pk": draft_invoice.pk})).content.decode()
    )
    # when the accountant clicks "Send e-invoice" (the sending runs once the request has committed)
    with django_capture_on_commit_callbacks(execute=True):
        action(owner_client, draft_invoice, "send")
    # then the customer got the Factur-X PDF, the invoice is sent and its history names the channel
    assert [message.to for message in mailoutbox] == [["factures@martin.example"]]
    assert [name for name, _content, _type in mailoutbox[0].attachments] == [f"{draft_invoice.number}.pdf"]
    draft_invoice.refresh_from_db()
    assert draft_invoice.status == Status.SENT
    page = owner_client.get(reverse("web:document-detail", kwargs={"pk": draft_invoice.pk})).content.decode()
    assert "Envoi demandé" in page
    assert "Facture électronique envoyée" in page
    assert "E-mail → factures@martin.example" in page


def test_lifecycle_statuses_show_their_code_and_label_in_the_history(owner_client, draft_invoice, owner):
    from facturier.transmission.services import lifecycle_record

    # given an issued invoice the customer's platform reports as refused, with a reason
    invoice = invoice_issue(invoice=draft_invoice, by=owner)
    lifecycle_record(
        document=invoice,
        code=210,
        reason_code="DOUBLON",
        reason_text="Facture en double",
        source="manual",
        by=owner,
    )
    # then its history shows the reform status in words, with the reason
    page = owner_client.get(reverse("web:document-detail", kwargs={"pk": invoice.pk})).content.decode()
    assert "210 Refusée" in page
    assert "Facture en double" in page
