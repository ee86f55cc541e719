"""Rendering and e-invoicing do not import each other: both build on the pure format work of
``facturier.domain.formats`` (``invoice_xml``, PEPPOL adjustments, CII tax-point codes)."""

import grimp
import pytest


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    # every import statement counts, those inside functions too: a deferred import is still a loop
    return grimp.build_graph("facturier", cache_dir=None)


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("facturier.documents.render", "facturier.invoicing.einvoice"),
        ("facturier.invoicing.einvoice", "facturier.documents.render"),
        ("facturier.documents.context", "facturier.invoicing.einvoice"),
        ("facturier.documents.issued", "facturier.invoicing.einvoice"),
    ],
)
def test_no_import_chain_between_rendering_and_e_invoicing(graph, importer, imported):
    assert graph.find_shortest_chain(importer=importer, imported=imported) is None


def test_e_invoicing_reaches_no_documents_module(graph):
    assert not graph.chain_exists("facturier.invoicing.einvoice", "facturier.documents", as_packages=True)


def test_the_pure_format_work_lives_in_the_domain(graph):
    from facturier.domain.formats import outgoing

    assert {"invoice_xml", "for_peppol", "peppol_recipient", "TAX_POINT_CII", "facturx_profile"} <= set(
        outgoing.__all__
    )
    for module in ("facturier.documents.render", "facturier.invoicing.einvoice"):
        assert "facturier.domain.formats.outgoing" in graph.find_modules_directly_imported_by(module)
