"""Every numbered kind is dated at most `FACTURIER_NUMBERING_FUTURE_DAYS` after the entity's today.

Numbering is chronological per series: a document accepted as dated 9999-12-31 would make every later
one of its series a 409. The window is one rule (invoicing.numbering) that quotes, orders, invoices,
credit notes and deposits all go through; "today" is the entity's (Europe/Paris), not UTC's.
"""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from facturier.common.errors import ValidationFailed
from facturier.invoicing import services
from facturier.invoicing.models import Document, Kind
from facturier.invoicing.services.drafts import LineData
from tests.api.conftest import ALL_SCOPES, ApiClient, assert_problem, make_key

# 22:30 UTC on 6 December is 23:30 in Paris: still the 6th there. 23:30 UTC is already the 7th in Paris.
PARIS_STILL_6TH = dt.datetime(2026, 12, 6, 22, 30, tzinfo=dt.UTC)
PARIS_ALREADY_7TH = dt.datetime(2026, 12, 6, 23, 30, tzinfo=dt.UTC)
NEW_YEAR_IN_PARIS = dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC)  # 00:30 on 1 January 2027 in Paris


@pytest.fixture
def api(entity):
    key, secret = make_key(entity, ALL_SCOPES)
    return ApiClient(secret, key)


def quote_body(customer, **header):
    return {"customer": str(customer.pk), "lines": [{"description": "Conseil", "quantity": "1",
                                                    "unit_price": "100"}], **header}  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/quotes", "/api/v1/orders"])
def test_a_quote_or_order_dated_9999_is_refused_and_the_next_one_is_numbered_normally(api, customer, path):
    with time_machine.travel(PARIS_STILL_6TH, tick=False):
        # when a client dates a quote (or order) on 9999-12-31
        response = api.post(path, quote_body(customer, issue_date="9999-12-31"))
        # then it is refused as input naming the date, and nothing was numbered
        body = assert_problem(response, 422, "issue_date_in_future", field="issue_date")
        assert "9999-12-31" in body["detail"]
        # and the next document of the series is numbered normally, as of today
        created = api.post(path, quote_body(customer))
        assert created.status_code == 201, created.content
        assert created.json()["issue_date"] == "2026-12-06"
        assert created.json()["number"].endswith("-2026-00001")


@pytest.mark.django_db
def test_the_window_follows_the_entitys_day_not_utcs(api, customer):
    # given 23:30 UTC on 6 December: it is already the 7th in Paris, the entity's time zone
    with time_machine.travel(PARIS_ALREADY_7TH, tick=False):
        # then a quote dated the 7th is accepted, the 8th is not
        accepted = api.post("/api/v1/quotes", quote_body(customer, issue_date="2026-12-07"))
        assert accepted.status_code == 201, accepted.content
        refused = api.post("/api/v1/quotes", quote_body(customer, issue_date="2026-12-08"))
        assert_problem(refused, 422, "issue_date_in_future", field="issue_date")
    # while at 22:30 UTC (23:30 in Paris, still the 6th) an order dated the 7th is refused
    with time_machine.travel(PARIS_STILL_6TH, tick=False):
        refused = api.post("/api/v1/orders", quote_body(customer, issue_date="2026-12-07"))
        assert_problem(refused, 422, "issue_date_in_future", field="issue_date")


@pytest.mark.django_db
def test_on_new_years_night_in_paris_the_new_year_is_today(api, customer):
    # given 31 December 23:30 UTC, 1 January 00:30 in Paris
    with time_machine.travel(NEW_YEAR_IN_PARIS, tick=False):
        # when a quote is created without a date
        created = api.post("/api/v1/quotes", quote_body(customer))
        # then it is dated and numbered in the new year, and 2 January is still refused
        assert created.status_code == 201, created.content
        assert (created.json()["issue_date"], created.json()["number"]) == ("2027-01-01", "DEV-2027-00001")
        refused = api.post("/api/v1/quotes", quote_body(customer, issue_date="2027-01-02"))
        assert_problem(refused, 422, "issue_date_in_future", field="issue_date")


@pytest.mark.django_db
def test_the_tolerance_setting_widens_the_window_for_every_kind(api, customer, settings):
    # given a tolerance of 3 days
    settings.FACTURIER_NUMBERING_FUTURE_DAYS = 3
    with time_machine.travel(PARIS_STILL_6TH, tick=False):
        # then a quote dated 3 days ahead is accepted and 4 days ahead is refused
        accepted = api.post("/api/v1/quotes", quote_body(customer, issue_date="2026-12-09"))
        assert accepted.status_code == 201, accepted.content
        refused = api.post("/api/v1/quotes", quote_body(customer, issue_date="2026-12-10"))
        body = assert_problem(refused, 422, "issue_date_in_future", field="issue_date")
        assert "2026-12-09" in body["detail"]  # the last day allowed


@pytest.mark.django_db
def test_a_numbered_quote_cannot_be_redated_past_the_window(api, customer):
    with time_machine.travel(PARIS_STILL_6TH, tick=False):
        quote = api.post("/api/v1/quotes", quote_body(customer)).json()
        refused = api.patch(f"/api/v1/quotes/{quote['id']}", {"issue_date": "9999-12-31"})
        assert_problem(refused, 422, "issue_date_in_future", field="issue_date")
        assert api.get(f"/api/v1/quotes/{quote['id']}").json()["issue_date"] == "2026-12-06"


@pytest.mark.django_db
@pytest.mark.parametrize("type_code", ["380", "381", "386"])  # invoice, credit note, deposit
def test_invoices_credit_notes_and_deposits_share_the_window(entity, owner, customer, type_code):
    with time_machine.travel(PARIS_STILL_6TH, tick=False):
        if type_code == "381":
            invoice = _issued_invoice(entity, owner, customer, dt.date(2026, 12, 6))
            draft = services.credit_note_create(invoice=invoice, by=owner)
        else:
            draft = services.document_create(entity=entity, kind=Kind.INVOICE, customer=customer, by=owner,
                                             type_code=type_code, lines=[LineData(description="Conseil", quantity=Decimal("1"), unit_price=Decimal("100"))])  # fmt: skip
        with pytest.raises(ValidationFailed) as refused:
            services.invoice_issue(invoice=draft, by=owner, issue_date=dt.date(2026, 12, 7))
        assert (refused.value.code, refused.value.field) == ("issue_date_in_future", "issue_date")
        issued = services.invoice_issue(invoice=draft, by=owner, issue_date=dt.date(2026, 12, 6))
        assert issued.number
        assert issued.issue_date == dt.date(2026, 12, 6)


def _issued_invoice(entity, owner, customer, day):
    draft = services.document_create(entity=entity, kind=Kind.INVOICE, customer=customer, by=owner,
                                     lines=[LineData(description="Conseil", quantity=Decimal("1"), unit_price=Decimal("100"))])  # fmt: skip
    return services.invoice_issue(invoice=draft, by=owner, issue_date=day)


@pytest.mark.django_db
def test_the_editor_shows_the_refusal_on_the_quotes_date(client, owner, customer):
    # given the staff editor, on 6 December in Paris
    client.force_login(owner)
    data = {
        "customer": str(customer.pk), "currency": "", "language": "", "payment_terms": "", "exchange_rate": "",
        "issue_date": "31/12/9999",
        "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0", "ac-TOTAL_FORMS": "0", "ac-INITIAL_FORMS": "0",
        "lines-0-description": "Conseil", "lines-0-quantity": "1", "lines-0-unit_price": "100",
    }  # fmt: skip
    with time_machine.travel(PARIS_STILL_6TH, tick=False):
        # when a quote dated 9999 is saved
        response = client.post(reverse("web:document-create", kwargs={"slug": "quotes"}), data)
    # then the form comes back with the error on the date, and no quote was numbered
    assert response.status_code == 200
    assert "9999-12-31" in response.context["editor"].header.errors["issue_date"][0]
    assert not Document.objects.exists()
