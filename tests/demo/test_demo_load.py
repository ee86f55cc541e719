"""The demo company: loaded once per module (small scale) through the real services, then inspected."""

import datetime as dt
import io
import re
from collections import defaultdict
from decimal import Decimal

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction

from facturier.accounts.models import LegalEntity, Membership
from facturier.audit.verify import verify_all
from facturier.catalog.models import Product
from facturier.catalog.units import UNIT_CODES
from facturier.demo.loader import anchor_day, load_demo
from facturier.domain import identifiers
from facturier.domain.numbering import is_legal_number
from facturier.invoicing.models import Document, EinvoiceValidation, Status, TypeCode
from facturier.parties.models import Contact, Customer
from facturier.payments.models import Allocation
from facturier.payments.selectors import Settlement, settled_as, settlement_of, still_owed
from facturier.transmission.models import LifecycleStatus

SCALE = 0.2
pytestmark = pytest.mark.slow  # one load of the demo at a fifth of its size: 5-10 s


# The clock of this module (other days: test_demo_dates.py).
TODAY = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One load for the whole module, rolled back at the end (each test runs in a savepoint inside)."""
    with time_machine.travel(TODAY), django_db_blocker.unblock(), transaction.atomic():
        result = load_demo(scale=SCALE)
        yield result
        transaction.set_rollback(True)


@pytest.fixture
def main(demo, db) -> LegalEntity:
    return demo.entity


def _issued(entity: LegalEntity):
    return Document.objects.filter(entity=entity, kind="invoice", seal_hash__gt="")


def test_demo_user_administers_both_entities_and_each_role_has_a_user(main):
    # given the loaded demo, then `demo` / `demo` logs in and administers both companies
    user = get_user_model().objects.get(username="demo")
    assert user.check_password("demo")
    assert set(Membership.objects.filter(user=user).values_list("role", flat=True)) == {"admin"}
    assert Membership.objects.filter(user=user).count() == LegalEntity.objects.count() == 2
    # and the first company has one user per other role
    roles = dict(Membership.objects.filter(entity=main).values_list("user__username", "role"))
    assert set(roles.values()) == {"admin", "accountant", "sales", "approver", "auditor"}
    for username in roles:
        assert get_user_model().objects.get(username=username).check_password("demo")


def test_demo_company_is_a_french_sas_with_e_invoicing_address(main):
    assert (main.legal_form, main.country, main.time_zone) == ("SAS", "FR", "Europe/Paris")
    assert main.share_capital > 0
    assert main.rcs.startswith("RCS ")
    assert (main.electronic_address_scheme, main.electronic_address) == ("0225", main.siren)


def test_every_identifier_of_the_demo_is_valid(main):
    # given every entity and customer, then each identifier passes python-stdnum / schwifty checks
    for entity in LegalEntity.objects.all():
        assert identifiers.validate_siren(entity.siren) == entity.siren
        assert identifiers.validate_siret(entity.siret).startswith(entity.siren)
        assert identifiers.validate_vat_number(entity.vat_number).endswith(entity.siren)
        assert identifiers.validate_iban(entity.iban) == entity.iban
        assert identifiers.validate_bic(entity.bic)
    checked = 0
    for customer in Customer.objects.all():
        if customer.siren:
            identifiers.validate_siren(customer.siren)
            assert identifiers.validate_siret(customer.siret).startswith(customer.siren)
            checked += 1
        if customer.vat_number:
            identifiers.validate_vat_number(customer.vat_number)
    assert checked >= 30


def test_a_customer_of_both_entities_has_the_same_identifiers_in_each(main):
    second = LegalEntity.objects.exclude(pk=main.pk).get()
    shared = Customer.objects.filter(entity=second).exclude(siren="")
    assert shared.exists()
    for customer in shared:
        twin = Customer.objects.get(entity=main, code=customer.code)
        assert (twin.name, twin.siren, twin.siret, twin.vat_number) == (
            customer.name, customer.siren, customer.siret, customer.vat_number,
        )  # fmt: skip


def test_demo_has_about_forty_customers_of_every_kind(main):
    customers = Customer.objects.filter(entity=main)
    assert customers.count() >= 40
    french_b2b = customers.filter(kind="business", country="FR").exclude(siren="")
    assert french_b2b.count() >= 30
    assert (
        customers.filter(kind="business", vat_regime="intra_eu_reverse_charge")
        .exclude(vat_number="")
        .exists()
    )
    assert customers.filter(vat_regime="export").exists()
    assert customers.filter(kind="consumer", siren="").exists()
    public = customers.get(kind="public", city="Valcourt-sur-Rhône")
    assert public.siret
    assert public.service_code
    assert customers.filter(postcode__startswith="974").exists()  # La Réunion
    assert Contact.objects.filter(entity=main).count() >= 35


def test_demo_catalogue_spans_every_french_rate_with_un_ece_units(main):
    products = Product.objects.filter(entity=main)
    assert products.count() >= 60
    assert {str(rate) for rate in products.values_list("vat_rate", flat=True)} >= {
        "20.00",
        "10.00",
        "5.50",
        "2.10",
        "0.00",
    }
    assert products.filter(vat_category="E").exists()
    assert set(products.values_list("unit", flat=True)) <= UNIT_CODES
    assert set(products.values_list("accounting_category", flat=True)) == {"goods", "services"}


def test_demo_documents_cover_the_whole_quote_to_cash_cycle(main):
    documents = Document.objects.filter(entity=main)
    quotes = documents.filter(kind="quote")
    assert quotes.filter(status=Status.CONVERTED).exists()
    assert quotes.filter(status=Status.DECLINED).exists()
    assert documents.filter(kind="order", status=Status.CONVERTED).exists()
    invoices = _issued(main)
    assert invoices.filter(type_code=TypeCode.CREDIT_NOTE).exists()
    final = invoices.filter(deposits__isnull=False).first()
    assert final is not None
    assert final.prepaid > 0
    assert final.deposits.get().type_code == TypeCode.DEPOSIT
    assert settled_as(invoices, Settlement.PAID).exists()
    assert settled_as(invoices, Settlement.PARTIALLY_PAID).exists()
    assert invoices.filter(status=Status.DISPUTED).exists()
    assert invoices.filter(status=Status.CANCELLED).exists()
    assert documents.filter(status=Status.DRAFT, kind="invoice").exists()
    assert documents.filter(status=Status.PENDING_APPROVAL).exists()
    assert invoices.filter(currency="USD", exchange_rate__isnull=False).exists()
    assert invoices.filter(lines__vat_rate=Decimal("8.50")).exists()  # La Réunion
    assert invoices.filter(lines__vat_category="AE").exists()  # reverse charge


def test_demo_history_spans_two_years_up_to_today_with_overdue_invoices(main):
    today = anchor_day()
    dates = _issued(main).values_list("issue_date", flat=True)
    assert min(dates) < today - dt.timedelta(days=500)
    assert max(dates) <= today
    overdue = still_owed(_issued(main).exclude(type_code=TypeCode.CREDIT_NOTE)).filter(due_date__lt=today)
    assert overdue.exists()
    late = Allocation.objects.filter(document__entity=main).select_related("payment", "document")
    assert any(allocation.payment.received_on > allocation.document.due_date for allocation in late)


def test_recent_invoices_carry_their_platform_lifecycle_statuses(main):
    recent = (
        _issued(main)
        .exclude(type_code=TypeCode.CREDIT_NOTE)
        .filter(issue_date__gte=anchor_day() - dt.timedelta(days=100))
    )
    e_invoiced = recent.filter(customer__kind__in=["business", "public"], customer__country="FR")
    assert e_invoiced.exists()
    for invoice in e_invoiced:
        codes = set(LifecycleStatus.objects.filter(document=invoice).values_list("code", flat=True))
        assert {200, 204} <= codes
        assert (212 in codes) == (settlement_of(invoice).settlement == Settlement.PAID)
    # sales to consumers and abroad are e-reported: no platform statuses
    assert not LifecycleStatus.objects.filter(document__customer__kind="consumer").exists()
    assert not LifecycleStatus.objects.exclude(document__customer__country="FR").exists()


def test_numbering_is_gapless_and_chronological_in_every_series(main):
    # given every numbered document of both entities, grouped by series and year
    by_series: dict[tuple, list[tuple[int, dt.date, str]]] = defaultdict(list)
    for number, series, day in Document.objects.exclude(number="").values_list(
        "number", "series", "issue_date"
    ):
        assert is_legal_number(number)
        year, sequence = re.fullmatch(r"[A-Z]+-(\d{4})-(\d{5})", number).groups()
        assert int(year) == day.year
        by_series[(series, year)].append((int(sequence), day, number))
    assert len({series for series, _year in by_series}) >= 6
    for numbers in by_series.values():
        numbers.sort()
        # then the sequence is 1..n without a gap and dates never go back
        assert [sequence for sequence, _day, _number in numbers] == list(range(1, len(numbers) + 1))
        days = [day for _sequence, day, _number in numbers]
        assert days == sorted(days)


def test_audit_chains_verify_after_the_demo_load(main):
    assert verify_all() == []


def test_issued_demo_invoices_passed_e_invoice_validation(main, settings):
    if not settings.EINVOICE_VALIDATE_ON_ISSUE:
        pytest.skip("validation on issue is off here (no conformance data in ../shared)")
    issued = _issued(main).count()
    assert EinvoiceValidation.objects.filter(entity=main, is_valid=True).count() == issued


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def test_a_second_load_changes_nothing_and_prints_the_login(main):
    # given the loaded demo
    before = _row_counts()
    # when the command runs again
    out = io.StringIO()
    call_command("load_demo", "--port", "8123", stdout=out)
    # then nothing was written and the login is shown
    assert _row_counts() == before
    assert "already loaded" in out.getvalue()
    assert "Log in at http://127.0.0.1:8123/ with demo / demo" in out.getvalue()
