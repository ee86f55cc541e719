"""Lines created with a product and no typed price take their price and discount from the pricing rules,
and record which rule applied."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from facturier.common.errors import ValidationFailed
from facturier.invoicing.models import Document
from facturier.invoicing.services import LineData, document_convert, document_create, document_update
from facturier.invoicing.services.issuing import invoice_issue
from facturier.parties.models import Customer
from facturier.pricing import services

MID_2026 = dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.UTC)
# 23:30 UTC on 31 December 2026: already 1 January 2027 in Paris, the entity's time zone
PARIS_NEW_YEAR = dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC)
PARIS_STILL_2026 = dt.datetime(2026, 12, 31, 22, 30, tzinfo=dt.UTC)


def invoice(entity, customer, owner, *lines: LineData, **header) -> Document:
    return document_create(
        entity=entity, kind="invoice", customer=customer, by=owner, lines=list(lines), **header
    )


def only_line(document: Document):
    return document.lines.get()


@pytest.mark.django_db
def test_a_product_line_takes_the_segment_price_and_records_the_list(
    entity, customer, product, owner, segment_list
):
    with time_machine.travel(MID_2026, tick=False):
        # when a line of a Grossiste names the product, with no price
        document = invoice(entity, customer, owner, LineData(product=product, quantity=Decimal(2)))
    # then the list price applies, named on the line, and the amounts follow
    line = only_line(document)
    assert (line.unit_price, line.price_source, line.price_rule) == (Decimal(800), "price_list",
                                                                     "Liste de prix Grossistes 2026")  # fmt: skip
    assert document.tax_exclusive == Decimal("1600.00")


@pytest.mark.django_db
def test_the_quantity_break_applies_from_its_quantity(entity, customer, product, owner, segment_list):
    with time_machine.travel(MID_2026, tick=False):
        below = invoice(entity, customer, owner, LineData(product=product, quantity=Decimal("9.5")))
        at = invoice(entity, customer, owner, LineData(product=product, quantity=Decimal(10)))

    assert only_line(below).unit_price == Decimal(800)
    assert (only_line(at).unit_price, only_line(at).price_rule) == (
        Decimal(750),
        "Liste de prix Grossistes 2026 (≥ 10)",
    )


@pytest.mark.django_db
def test_a_customer_outside_the_segment_pays_the_catalog_price(entity, product, owner, segment_list):
    other = Customer.objects.create(entity=entity, code="C002", name="Café Durand", address_line1="1 rue Haute",
                                    postcode="75001", city="Paris")  # fmt: skip
    with time_machine.travel(MID_2026, tick=False):
        line = only_line(invoice(entity, other, owner, LineData(product=product, quantity=Decimal(10))))

    assert (line.unit_price, line.price_source, line.price_rule) == (Decimal(850), "product", "")


@pytest.mark.django_db
def test_a_typed_price_wins_and_is_recorded_as_manual(entity, customer, product, owner, segment_list):
    with time_machine.travel(MID_2026, tick=False):
        line = only_line(invoice(entity, customer, owner,
                                 LineData(product=product, quantity=Decimal(1), unit_price=Decimal("700"))))  # fmt: skip

    assert (line.unit_price, line.price_source, line.discount_percent) == (Decimal(700), "manual", 0)


@pytest.mark.django_db
def test_saving_again_with_the_prices_shown_keeps_the_rule(entity, customer, product, owner, segment_list):
    with time_machine.travel(MID_2026, tick=False):
        document = invoice(entity, customer, owner, LineData(product=product, quantity=Decimal(2)))
        # when the editor sends the line back as it shows it (its price filled in)
        document_update(document=document, by=owner,
                        lines=[LineData(product=product, quantity=Decimal(3), unit_price=Decimal(800))])  # fmt: skip
    line = only_line(document)
    assert (line.quantity, line.price_source, line.price_rule) == (
        Decimal(3),
        "price_list",
        "Liste de prix Grossistes 2026",
    )


@pytest.mark.django_db
def test_the_catalog_price_filled_in_by_the_picker_still_follows_the_rules(entity, customer, product, owner,
                                                                          segment_list):  # fmt: skip
    with time_machine.travel(MID_2026, tick=False):
        line = only_line(invoice(entity, customer, owner,
                                 LineData(product=product, quantity=Decimal(1), unit_price=Decimal(850))))  # fmt: skip

    assert (line.unit_price, line.price_source) == (Decimal(800), "price_list")


@pytest.mark.django_db
def test_validity_ends_at_midnight_in_the_entitys_time_zone(entity, customer, product, owner, segment_list):
    with time_machine.travel(PARIS_STILL_2026, tick=False):
        last_day = only_line(invoice(entity, customer, owner, LineData(product=product)))
    with time_machine.travel(PARIS_NEW_YEAR, tick=False):
        next_year = only_line(invoice(entity, customer, owner, LineData(product=product)))

    assert (last_day.unit_price, next_year.unit_price) == (Decimal(800), Decimal(850))


@pytest.mark.django_db
def test_a_quote_is_priced_on_its_own_date_not_today(entity, customer, product, owner, segment_list):
    # given it is already 2027 in Paris, when a quote is dated the last day of 2026
    with time_machine.travel(PARIS_NEW_YEAR, tick=False):
        quote = document_create(entity=entity, kind="quote", customer=customer, by=owner,
                                issue_date=dt.date(2026, 12, 31), lines=[LineData(product=product)])  # fmt: skip
    # then the 2026 list applies
    assert only_line(quote).unit_price == Decimal(800)


@pytest.mark.django_db
def test_volume_tiers_and_the_best_single_discount(entity, customer, product, owner, segment_list):
    for quantity, percent in ((5, "3"), (20, "6")):
        services.discount_save(entity=entity, by=owner, name=f"{quantity}+ jours", kind="volume",
                               percent=percent, product=product, min_quantity=quantity)  # fmt: skip
    services.promotion_save(entity=entity, by=owner, name="Printemps", percent="5",
                            valid_from=dt.date(2026, 6, 1), valid_until=dt.date(2026, 6, 30))  # fmt: skip
    with time_machine.travel(MID_2026, tick=False):
        lines = [LineData(product=product, quantity=Decimal(q)) for q in (1, 5, 20)]
        document = invoice(entity, customer, owner, *lines)

    found = [(line.discount_percent, line.discount_rule) for line in document.lines.all()]
    assert found == [(Decimal(5), "Promotion Printemps"), (Decimal(5), "Promotion Printemps"),
                     (Decimal(6), "Remise sur volume 20+ jours")]  # fmt: skip
    # 20 × 750 = 15,000.00 less 6 % = 14,100.00; 800 less 5 % = 760.00; 5 × 800 less 5 % = 3,800.00
    assert [line.net_amount for line in document.lines.all()] == [Decimal("760.00"), Decimal("3800.00"),
                                                                  Decimal("14100.00")]  # fmt: skip


@pytest.mark.django_db
def test_a_discount_rounds_the_line_to_the_cent_half_up(entity, customer, product, owner):
    services.promotion_save(entity=entity, by=owner, name="Un tiers", percent="33.33",
                            valid_from=dt.date(2026, 1, 1), valid_until=dt.date(2026, 12, 31))  # fmt: skip
    with time_machine.travel(MID_2026, tick=False):
        product.unit_price = Decimal("0.015")
        product.save()
        line = only_line(invoice(entity, customer, owner, LineData(product=product, quantity=Decimal(1))))

    # gross 0.015 -> 0.02 (half up), allowance 33.33 % of 0.02 = 0.0067 -> 0.01, net 0.01
    assert (line.unit_price, line.discount_percent, line.net_amount) == (Decimal("0.015"), Decimal("33.33"),
                                                                         Decimal("0.01"))  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "error"),
    [("NOPE", "promotion_code_unknown"), ("OLD", "promotion_code_expired"), ("LATER", "promotion_code_not_yet_valid"),
     ("VIP", "promotion_code_not_for_customer")],
)  # fmt: skip
def test_a_bad_promotion_code_is_refused_with_its_reason(entity, customer, product, owner, code, error):
    other = Customer.objects.create(entity=entity, code="C9", name="Autre", address_line1="1 rue", postcode="75001",
                                    city="Paris")  # fmt: skip
    for name, start, end, who in (("OLD", "2026-01-01", "2026-06-14", None), ("LATER", "2026-06-16", "2026-07-01", None),
                                  ("VIP", "2026-01-01", "2026-12-31", other)):  # fmt: skip
        services.promotion_save(entity=entity, by=owner, name=name, code=name, percent="10", customer=who,
                                valid_from=dt.date.fromisoformat(start), valid_until=dt.date.fromisoformat(end))  # fmt: skip
    with time_machine.travel(MID_2026, tick=False), pytest.raises(ValidationFailed) as refused:
        invoice(entity, customer, owner, LineData(product=product), promotion_code=code)

    assert (refused.value.code, refused.value.field) == (error, "promotion_code")
    assert not Document.objects.filter(entity=entity).exists()


@pytest.mark.django_db
def test_a_code_entered_on_a_draft_reprices_its_priced_lines_only(entity, customer, product, owner):
    services.promotion_save(entity=entity, by=owner, name="Bienvenue", code="BIENVENUE", percent="15",
                            valid_from=dt.date(2026, 6, 15), valid_until=dt.date(2026, 6, 15))  # fmt: skip
    with time_machine.travel(MID_2026, tick=False):
        document = invoice(entity, customer, owner, LineData(product=product),
                           LineData(product=product, unit_price=Decimal(900)))  # fmt: skip
        # when the code is entered on the draft (lines not sent again), in lower case
        document_update(document=document, by=owner, promotion_code=" bienvenue ")

    document.refresh_from_db()
    priced, typed = document.lines.all()
    assert (priced.discount_percent, priced.discount_rule) == (Decimal(15), "Promotion Bienvenue")
    assert (typed.unit_price, typed.discount_percent, typed.price_source) == (Decimal(900), 0, "manual")
    assert document.promotion_code == "bienvenue"


@pytest.mark.django_db
def test_a_converted_quote_keeps_the_rules_its_lines_recorded(entity, customer, product, owner, segment_list):
    with time_machine.travel(MID_2026, tick=False):
        quote = document_create(entity=entity, kind="quote", customer=customer, by=owner,
                                lines=[LineData(product=product)])  # fmt: skip
    with time_machine.travel(dt.datetime(2027, 2, 1, 10, tzinfo=dt.UTC), tick=False):
        created = document_convert(document=quote, to_kind="invoice", by=owner)

    line = only_line(created)
    assert (line.unit_price, line.price_source, line.price_rule) == (Decimal(800), "price_list",
                                                                     "Liste de prix Grossistes 2026")  # fmt: skip


@pytest.mark.django_db
def test_a_loyalty_discount_follows_what_was_invoiced_over_twelve_months(entity, customer, product, owner,
                                                                       approver):  # fmt: skip
    services.discount_save(entity=entity, by=owner, name="Fidélité", kind="loyalty", percent="4",
                           min_invoiced="2000")  # fmt: skip
    with time_machine.travel(MID_2026, tick=False):
        first = invoice(entity, customer, owner, LineData(product=product, quantity=Decimal(3)))
        assert only_line(first).discount_percent == 0  # nothing invoiced yet
        issue(first, owner, approver)
        second = invoice(entity, customer, owner, LineData(product=product))
    # a year and a day later, the first invoice no longer counts
    with time_machine.travel(dt.datetime(2027, 6, 16, 10, tzinfo=dt.UTC), tick=False):
        later = invoice(entity, customer, owner, LineData(product=product))

    assert (only_line(second).discount_percent, only_line(second).discount_rule) == (Decimal(4),
                                                                                    "Remise de fidélité Fidélité")  # fmt: skip
    assert only_line(later).discount_percent == 0


def issue(document: Document, owner, approver) -> None:
    from facturier.invoicing.services.issuing import invoice_approve, invoice_submit

    try:
        invoice_issue(invoice=document, by=owner)
    except Exception:  # noqa: BLE001 - entities requiring approval: submit, approve, then issue
        invoice_submit(invoice=document, by=owner)
        invoice_approve(invoice=document, by=approver)
        invoice_issue(invoice=document, by=owner)


@pytest.mark.django_db
def test_the_rule_is_named_in_the_documents_language(entity, customer, product, owner, segment_list):
    with time_machine.travel(MID_2026, tick=False):
        english = invoice(entity, customer, owner, LineData(product=product), language="en")

    assert only_line(english).price_rule == "Price list Grossistes 2026"


@pytest.mark.django_db
def test_a_draft_given_to_another_customer_takes_their_prices(entity, customer, product, owner, segment_list):
    other = Customer.objects.create(entity=entity, code="C002", name="Café Durand", address_line1="1 rue Haute",
                                    postcode="75001", city="Paris")  # fmt: skip
    with time_machine.travel(MID_2026, tick=False):
        document = invoice(entity, customer, owner, LineData(product=product),
                           LineData(product=product, unit_price=Decimal(990)))  # fmt: skip
        document_update(document=document, by=owner, customer=other)

    priced, typed = Document.objects.get(pk=document.pk).lines.all()
    assert (priced.unit_price, priced.price_source) == (Decimal(850), "product")
    assert (typed.unit_price, typed.price_source) == (Decimal(990), "manual")


@pytest.mark.django_db
def test_a_credit_note_line_without_a_price_is_priced_on_its_quantity_without_the_sign(
    entity, customer, product, owner, segment_list
):
    from facturier.invoicing.models import TypeCode

    with time_machine.travel(MID_2026, tick=False):
        credit = document_create(entity=entity, kind="invoice", type_code=TypeCode.CREDIT_NOTE, customer=customer,
                                 by=owner, lines=[LineData(product=product, quantity=Decimal(-10)),
                                                  LineData(product=product, quantity=Decimal(-1),
                                                           unit_price=Decimal(850))])  # fmt: skip

    listed, typed = credit.lines.all()
    assert (listed.unit_price, listed.price_source) == (Decimal(750), "price_list")
    assert (typed.unit_price, typed.price_source) == (Decimal(850), "manual")


@pytest.mark.django_db
def test_the_rules_are_read_once_per_document_whatever_its_number_of_lines(entity, customer, product, owner,
                                                                          segment_list):  # fmt: skip
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    services.discount_save(entity=entity, by=owner, name="Fidélité", kind="loyalty", percent="2", min_years=1)

    def queries(count: int) -> int:
        with time_machine.travel(MID_2026, tick=False), CaptureQueriesContext(connection) as captured:
            invoice(
                entity,
                customer,
                owner,
                *[LineData(product=product, quantity=Decimal(i + 1)) for i in range(count)],
            )
        # the rules and the loyalty history (the lines' own writes are invoicing's business)
        return len([q for q in captured.captured_queries if "pricing_" in q["sql"] or "SUM(" in q["sql"]])

    assert queries(2) == queries(40) == 5  # segments, prices, discounts, promotions, the 12-month sums
