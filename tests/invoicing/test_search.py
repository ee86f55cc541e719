"""The customer and document searches find the same rows on SQLite (FTS5 trigram indexes, parties 0005
and invoicing 0013) and on PostgreSQL (trigram indexes): case and accents folded alike, substrings,
SIREN prefixes; the indexes follow inserts, renames and deletes; the number of queries does not depend
on how many customers a term names (issue 9)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from facturier.invoicing import selectors
from facturier.invoicing.models import Document, Kind
from facturier.invoicing.selectors import SEARCH_CUSTOMERS, DocumentFilters, filtered
from facturier.invoicing.services import LineData, document_create
from facturier.parties.models import Customer
from facturier.parties.selectors import customer_list
from tests.conftest import make_entity

LINES = [LineData(description="Audit", quantity=Decimal("1"), unit_price=Decimal("100.00"))]
CUSTOMERS = [  # code, name, SIREN, VAT number, city
    ("C-LEF", "Lefèvre Boréal SARL", "443061841", "FR32443061841", "Lyon"),
    ("C-ECO", "ÉCOLE NOVA", "552100554", "", "Saint-Étienne"),
    ("C-ATE", "atelier durand", "732829320", "FR65732829320", "Paris"),
    ("C-GRA", "Granit & Cèdre", "", "BE0403170701", "Liège"),
]
# term -> the customer codes the customer search finds (name, code, VAT, city contain it; SIREN starts with it)
CUSTOMER_TERMS = {
    "lefèvre": {"C-LEF"},
    "LEFÈVRE": {"C-LEF"},
    "lefevre": set(),  # accents are kept (as PostgreSQL's upper() keeps them), only their case is folded
    "boRÉAL": {"C-LEF"},
    "école": {"C-ECO"},
    "nova": {"C-ECO"},
    "étienne": {"C-ECO"},
    "ÉTIENNE": {"C-ECO"},
    "ate": {"C-ATE"},  # the code C-ATE and the name atelier
    "ATELIER D": {"C-ATE"},
    "c-": {"C-LEF", "C-ECO", "C-ATE", "C-GRA"},
    "4430": {"C-LEF"},  # a SIREN prefix (and the VAT number that holds it)
    "2100554": set(),  # inside a SIREN only: not a prefix, and no VAT number holds it
    "0403": {"C-GRA"},  # inside a VAT number
    "& cè": {"C-GRA"},
    "liège": {"C-GRA"},
    'x"y': set(),
    "%": set(),
}
# term -> the numbers of the invoices the document search finds (number, or the customer's name)
DOCUMENT_TERMS = {
    "fac-2031": {"FAC-2031-00001", "FAC-2031-00002"},
    "00002": {"FAC-2031-00002"},
    "lefèvre": {"FAC-2031-00001"},
    "LEFÈVRE": {"FAC-2031-00001"},
    "nova": {"FAC-2031-00002"},
    "Atelier": {"AV-2031-00001"},
    "av-": {"AV-2031-00001"},
    "durand sa": set(),
}


@pytest.fixture
def customers(entity):
    made = {
        code: Customer.objects.create(
            entity=entity,
            code=code,
            name=name,
            siren=siren,
            vat_number=vat,
            city=city,
            address_line1="1 rue",
            postcode="69001",
        )  # fmt: skip
        for code, name, siren, vat, city in CUSTOMERS
    }
    other = make_entity(name="Tierce SAS", siren="356000000", admin_user=None)
    Customer.objects.create(entity=other, code="C-LEF-2", name="Lefèvre Nova", siren="443061841", city="Lyon")
    return made


def _numbered(entity, customer, number: str) -> Document:
    document = document_create(entity=entity, kind=Kind.INVOICE, customer=customer, by=None, lines=LINES)
    Document.objects.filter(pk=document.pk).update(number=number)  # a number, without issuing (not read here)
    return document


def test_the_customer_search_finds_the_same_customers_on_every_backend(entity, customers):
    for term, codes in CUSTOMER_TERMS.items():
        found = customer_list(entity=entity, search=term)
        assert {customer.code for customer in found} == codes, term


def test_the_documents_search_finds_numbers_and_customer_names_on_every_backend(entity, customers):
    _numbered(entity, customers["C-LEF"], "FAC-2031-00001")
    _numbered(entity, customers["C-ECO"], "FAC-2031-00002")
    _numbered(entity, customers["C-ATE"], "AV-2031-00001")
    invoices = selectors.documents_in(entity, kind=Kind.INVOICE)
    for term, numbers in DOCUMENT_TERMS.items():
        found = filtered(invoices, DocumentFilters(search=term), entity=entity)
        assert {document.number for document in found} == numbers, term


def test_the_search_indexes_follow_renames_and_deletes(entity, customers):
    lefevre = customers["C-LEF"]
    document = _numbered(entity, lefevre, "FAC-2031-00007")
    invoices = selectors.documents_in(entity, kind=Kind.INVOICE)
    lefevre.name = "Orion Conseil"
    lefevre.save()
    Document.objects.filter(pk=document.pk).update(number="FAC-2031-00008")
    assert not customer_list(entity=entity, search="boréal").exists()
    assert [c.code for c in customer_list(entity=entity, search="orion CON")] == ["C-LEF"]
    assert not filtered(invoices, DocumentFilters(search="00007"), entity=entity).exists()
    assert list(filtered(invoices, DocumentFilters(search="00008"), entity=entity)) == [document]
    assert list(filtered(invoices, DocumentFilters(search="orion"), entity=entity)) == [document]
    Document.objects.filter(pk=document.pk).delete()
    Customer.objects.filter(pk=lefevre.pk).delete()
    assert not customer_list(entity=entity, search="orion").exists()
    assert not filtered(invoices, DocumentFilters(search="00008"), entity=entity).exists()


def _queries(entity, term: str) -> tuple[int, int]:
    invoices = selectors.documents_in(entity, kind=Kind.INVOICE)
    with CaptureQueriesContext(connection) as found:
        documents = list(filtered(invoices, DocumentFilters(search=term), entity=entity)[:25])
    return len(found), len(documents)


def test_the_document_search_runs_as_many_queries_for_a_rare_as_for_a_common_term(entity, customers):
    # given one customer named "Sextant" and more than SEARCH_CUSTOMERS named "Vega …", each with an invoice
    many = Customer.objects.bulk_create(
        [
            Customer(
                entity=entity,
                code=f"V{n:04d}",
                name=f"Vega {n:04d}",
                city="Lyon",
                postcode="69001",
                address_line1="1 rue",
            )
            for n in range(SEARCH_CUSTOMERS + 5)
        ]  # fmt: skip
    )
    sextant = Customer.objects.create(entity=entity, code="S1", name="Sextant", city="Lyon", postcode="69001")
    _numbered(entity, sextant, "FAC-2031-00010")
    for n, customer in enumerate(many[:30]):
        _numbered(entity, customer, f"FAC-2031-{n + 11:05d}")
    # when each is searched, then the same number of queries finds their invoices
    rare, common, one_of_many = (
        _queries(entity, "sextant"),
        _queries(entity, "vega"),
        _queries(entity, "VEGA 0029"),
    )
    assert (rare[1], common[1], one_of_many[1]) == (1, 25, 1)
    assert rare[0] == common[0] == one_of_many[0]
