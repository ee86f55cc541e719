"""`facturier conformance install PATH` and `facturier export`: what an operator runs from a shell."""

import pytest

from facturier.cli import main
from facturier.domain.formats import detect_and_parse
from facturier.invoicing.models import EinvoiceValidation
from facturier.invoicing.services import credit_note_create, invoice_issue
from tests.invoicing import einvoice_cases as cases
from tests.invoicing.einvoice_cases import installed_rules  # noqa: F401 - fixture


def test_conformance_install_then_issuing_validates_against_the_copy(settings, tmp_path, shared_dir, draft_invoice,
                                                                     owner):  # fmt: skip
    # given an empty data dir and validation reading only from it
    settings.DATA_DIR, settings.CONFORMANCE_DIR, settings.EINVOICE_VALIDATE_ON_ISSUE = tmp_path, None, True
    assert main(["conformance", "verify"]) == 1
    # when the operator installs the official artefacts
    assert main(["conformance", "install", str(shared_dir / "conformance")]) == 0
    # then they are in the data dir and an issued invoice is validated with them
    assert (tmp_path / "conformance" / "en16931" / "cii" / "xslt" / "EN16931-CII-validation.xslt").is_file()
    assert main(["conformance", "verify"]) == 0
    invoice = invoice_issue(invoice=draft_invoice, by=owner)
    report = EinvoiceValidation.objects.get(document=invoice)
    assert report.is_valid
    assert "br-fr" in report.artefacts


def test_conformance_install_refuses_a_folder_without_the_rules(settings, tmp_path, capsys):
    settings.DATA_DIR = tmp_path / "data"
    (tmp_path / "empty").mkdir()
    assert main(["conformance", "install", str(tmp_path / "empty")]) == 1
    assert "is not a complete conformance folder" in capsys.readouterr().err


@pytest.mark.usefixtures("installed_rules")
@pytest.mark.parametrize(("fmt", "suffix"), [("cii", ".cii.xml"), ("ubl", ".ubl.xml"), ("facturx", ".pdf")])
def test_export_writes_one_file_per_issued_document(tmp_path, entity, owner, draft_invoice, fmt, suffix):
    # given two issued invoices, a credit note and a draft
    buyer = cases.customer(entity, "EXP", siren="443061841")
    first = cases.issued(entity, buyer, owner, [cases.line("100")])
    second = cases.issued(entity, buyer, owner, [cases.line("250", "10")])
    note = invoice_issue(invoice=credit_note_create(invoice=first, by=owner), by=owner)
    # when they are exported
    out = tmp_path / "out"
    assert main(["export", "--format", fmt, "--out", str(out), "--entity", entity.siren]) == 0
    # then there is one file per issued document, named by its number, and none for the draft
    files = sorted(path.name for path in out.iterdir())
    assert files == sorted(f"{doc.number}{suffix}" for doc in (first, second, note))
    data = (out / f"{second.number}{suffix}").read_bytes()
    if fmt == "facturx":
        assert data.startswith(b"%PDF")
    else:
        assert detect_and_parse(data).number == second.number


def test_export_of_an_unknown_company_fails(tmp_path, entity, capsys):
    assert main(["export", "--format", "cii", "--out", str(tmp_path), "--entity", "999999999"]) != 0
    assert "No company matches" in capsys.readouterr().err
