"""`facturier export --format peppol`: the PEPPOL BIS Billing 3.0 UBL a PEPPOL-routed customer receives.

Every issued invoice and credit note of the demo is exported and checked with the published PEPPOL
rules (CEN-EN16931-UBL + PEPPOL-EN16931-UBL, BIS Billing 3.0.21): no error-level finding may remain.
"""

import pytest
from django.db import transaction

from facturier.cli import main
from facturier.demo.loader import load_demo
from facturier.domain.formats import detect_and_parse
from facturier.domain.validation import ArtefactStore
from facturier.invoicing.einvoice_runner import run_validation
from facturier.invoicing.models import Document
from facturier.invoicing.services import credit_note_create, invoice_issue
from facturier.parties.models import Customer
from tests.conftest import SHARED
from tests.invoicing import einvoice_cases as cases
from tests.invoicing.einvoice_cases import installed_rules  # noqa: F401 - fixture

PEPPOL_CUSTOMIZATION = b"urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"


def _peppol_errors(xml: bytes, store: ArtefactStore) -> list[str]:
    report = run_validation(xml, syntax="ubl", profile=None, rules=("xsd", "peppol"), store=store)
    return [f"{f.rule_id} ({f.source}) {f.location}: {f.message}" for f in report.errors]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The whole demo, loaded once for the module and rolled back at the end."""
    if not (SHARED / "conformance" / "peppol").is_dir():
        pytest.skip("../shared not present: the PEPPOL rules are only in the team workspace")
    with django_db_blocker.unblock(), transaction.atomic():
        result = load_demo()
        yield result
        transaction.set_rollback(True)


@pytest.mark.slow
def test_every_issued_demo_document_exported_as_peppol_passes_the_peppol_rules(demo, db, tmp_path, capsys):
    # given the demo loaded: both companies, every kind of invoice and credit note the product issues
    issued = (
        Document.objects.filter(kind="invoice").exclude(seal_hash="").select_related("entity", "customer")
    )
    expected = {(d.entity.siren, d.number) for d in issued if _on_peppol(d.customer)}
    unreachable = {d.number for d in issued if not _on_peppol(d.customer)}
    assert len(expected) > 100
    # when the operator exports every company in the PEPPOL format
    out = tmp_path / "peppol"
    assert main(["export", "--format", "peppol", "--out", str(out)]) == 0
    # then there is one PEPPOL BIS 3 file per issued document whose buyer is on PEPPOL, per company folder
    files = sorted(out.rglob("*.peppol.xml"))
    assert {(path.parent.name, path.name.removesuffix(".peppol.xml")) for path in files} == expected
    # and the others (consumers, a business known only by its email) are named, not silently left out
    printed = capsys.readouterr().out
    assert all(f"{number} not exported" in printed for number in unreachable)
    # and no file breaks a PEPPOL or EN 16931 rule
    store = ArtefactStore(SHARED / "conformance")
    errors = {str(path): found for path in files if (found := _peppol_errors(path.read_bytes(), store))}
    assert errors == {}, "\n".join(f"{name}: {found}" for name, found in sorted(errors.items())[:10])


def _on_peppol(customer: Customer) -> bool:
    """A PEPPOL participant: its own e-invoicing address, a SIREN, a VAT number or a registration number."""
    return customer.kind != "consumer" and bool(
        customer.electronic_address or customer.siren or customer.vat_number or customer.registration_id
    )


@pytest.mark.usefixtures("installed_rules")
def test_peppol_export_writes_one_peppol_file_per_issued_document(tmp_path, entity, owner, capsys):
    # given an issued invoice with a purchase order, one without any reference, a credit note, an export
    # to a Swiss business known by its UID (ISO 6523 scheme 0183) and an invoice to a consumer
    buyer = cases.customer(entity, "PEP", siren="443061841", siret="44306184100047")
    ordered = cases.issued(entity, buyer, owner, [cases.line("100")], purchase_order_reference="PO-17")
    plain = cases.issued(entity, buyer, owner, [cases.line("250", "10")])
    note = invoice_issue(invoice=credit_note_create(invoice=plain, by=owner), by=owner)
    swiss = cases.customer(entity, "CH", name="Berger AG", country="CH", postcode="1204", city="Genève",
                           vat_regime="export", registration_id="CHE123456788", registration_scheme="0183")  # fmt: skip
    exported = cases.issued(entity, swiss, owner, [cases.line("900", "0", goods=True)])
    consumer = cases.customer(entity, "PRIV", kind="consumer")
    private = cases.issued(entity, consumer, owner, [cases.line("40")])
    # when they are exported with --format peppol
    out = tmp_path / "out"
    assert main(["export", "--format", "peppol", "--out", str(out), "--entity", entity.siren]) == 0
    # then each is a PEPPOL BIS Billing 3.0 UBL named <number>.peppol.xml that passes the PEPPOL rules
    store = ArtefactStore(SHARED / "conformance")
    for document in (ordered, plain, note, exported):
        data = (out / f"{document.number}.peppol.xml").read_bytes()
        assert PEPPOL_CUSTOMIZATION in data
        assert detect_and_parse(data).number == document.number
        assert _peppol_errors(data, store) == []
    # and the consumer's invoice is not written but named
    assert len(list(out.iterdir())) == 4
    assert f"{private.number} not exported" in capsys.readouterr().out


def test_peppol_is_offered_by_the_export_command(capsys):
    with pytest.raises(SystemExit):
        main(["export", "--help"])
    assert "peppol" in capsys.readouterr().out
