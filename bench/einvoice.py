"""E-invoicing throughput on 1,000 varied invoices: XML serialize/parse/validate, Factur-X PDF.

Usage: python bench/einvoice.py [--invoices 1000] [--validate 50] [--conformance DIR]

Builds the invoices in a throw-away SQLite database (mixed customers: French B2B and B2C,
English-speaking export, intra-EU reverse charge, exempt; 1 to 30 lines, discounts,
allowances, credit notes, deposits), issues them, then measures on one core:
  - map + serialize: `document_xml` (database reads + EN 16931 mapping + CII)
  - serialize only: `serialize_cii` of the already mapped model
  - parse: `parse_cii` of each XML
  - validate: XSD + EN 16931 + BR-FR + Factur-X EN16931 schematron on a subsample
and Factur-X PDFs (`render_pdf`) on one core and with two processes (multiprocessing "spawn":
each process creates its own Typst compiler and Saxon state; Typst must not cross a fork).
"""

from __future__ import annotations

import argparse
import collections
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CONFORMANCE = ROOT / ".." / "shared" / "conformance"


def setup_django(data_dir: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["FACTURIER_DATA_DIR"] = data_dir
    os.environ["DATABASE_URL"] = f"sqlite:///{data_dir}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    import django
    from django.conf import settings

    django.setup()
    settings.EINVOICE_VALIDATE_ON_ISSUE = False  # measured separately below


def build_invoices(count: int, seed: int = 7) -> list[str]:
    """Create and issue `count` documents; return their ids (invoices, credit notes, deposits)."""
    from django.core.management import call_command

    from facturier.accounts.services import entity_create
    from facturier.catalog.models import Product
    from facturier.invoicing.models import Document
    from facturier.invoicing.services import (
        AllowanceChargeData,
        LineData,
        credit_note_create,
        document_create,
        invoice_issue,
    )
    from facturier.parties.models import Customer

    call_command("migrate", verbosity=0)
    rng = random.Random(seed)
    entity = entity_create(
        by=None, name="Atelier Dupont SAS", legal_form="SAS", share_capital=Decimal("10000.00"),
        siren="552100554", siret="55210055400013", vat_number="FR96552100554", rcs="RCS Paris 552100554",
        address_line1="12 rue de la Paix", postcode="75002", city="Paris", iban="FR7630006000011234567890189",
        bic="AGRIFRPP", email="compta@dupont.example", electronic_address_scheme="0225",
        electronic_address="552100554",
    )  # fmt: skip
    kinds = [
        dict(name="Boulangerie Martin SARL", siren="443061841", vat_regime="domestic", language="fr",
             electronic_address_scheme="0225", electronic_address="443061841"),
        dict(name="Jean Client", kind="consumer", vat_regime="domestic", language="fr"),
        dict(name="Bakery Ltd", country="GB", postcode="EC1A 1BB", city="London", vat_regime="export",
             language="en", electronic_address_scheme="EM", electronic_address="ap@bakery.example"),
        dict(name="Bäckerei GmbH", country="DE", postcode="10115", city="Berlin", vat_number="DE136695976",
             vat_regime="intra_eu_reverse_charge", language="en", electronic_address_scheme="9930",
             electronic_address="DE136695976"),
        dict(name="Association Solidaire", siren="732829320", vat_regime="exempt", language="fr",
             exemption_reason="Exonération de TVA, article 261-7-1° du CGI", electronic_address_scheme="0225",
             electronic_address="732829320"),
    ]  # fmt: skip
    customers = []
    for index, extra in enumerate(kinds * 4):
        fields = {
            "address_line1": f"{index + 1} place du Marché",
            "postcode": "69002",
            "city": "Lyon",
            **extra,
        }
        customers.append(Customer.objects.create(entity=entity, code=f"C{index:03d}", **fields))
    units = ["C62", "HUR", "DAY", "KGM", "H87"]
    products = [
        Product.objects.create(entity=entity, sku=f"P{n}", name=f"Produit {n}", unit=units[n % 5],
                               unit_price=Decimal(rng.randint(100, 200000)) / 100, vat_category="S",
                               vat_rate=rng.choice([Decimal("20"), Decimal("10"), Decimal("5.5")]),
                               accounting_category=rng.choice(["goods", "services"]))
        for n in range(40)
    ]  # fmt: skip
    ids: list[str] = []
    deposits: list[Document] = []
    while len(ids) < count:
        customer = rng.choice(customers)
        n_lines = rng.choice([1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 30])
        lines = [
            LineData(product=rng.choice(products), quantity=Decimal(rng.randint(1, 4000)) / 100,
                     discount_percent=rng.choice([Decimal("0")] * 4 + [Decimal("5"), Decimal("12.5")]),
                     description=rng.choice(["", "Prestation spéciale « sur mesure » & frais", "Livraison — zone 2"]))
            for _ in range(n_lines)
        ]  # fmt: skip
        if customer.vat_regime == "export":  # goods (G) and services (O) cannot share an invoice (BR-O-11)
            kind_of_sale = lines[0].product.accounting_category
            lines = [line for line in lines if line.product.accounting_category == kind_of_sale]
        header: dict[str, object] = {}
        roll = rng.random()
        if roll < 0.05:
            header["type_code"] = "386"
        elif roll < 0.1 and deposits and deposits[-1].customer_id == customer.pk:
            header["deposits"] = [deposits.pop()]
        if rng.random() < 0.2:
            header["allowances_charges"] = [AllowanceChargeData(reason="Remise commerciale", percent=Decimal("3"),
                                                                vat_category=lines[0].product.vat_category,
                                                                vat_rate=lines[0].product.vat_rate)]  # fmt: skip
        document = document_create(
            entity=entity,
            kind="invoice",
            customer=customer,
            by=None,
            lines=lines,
            purchase_order_reference=f"PO-{len(ids)}",
            **header,
        )  # type: ignore[arg-type]
        issued = invoice_issue(invoice=document, by=None)
        ids.append(str(issued.pk))
        if issued.type_code == "386":
            deposits.append(issued)
        if rng.random() < 0.08 and len(ids) < count and issued.type_code == "380":
            first = issued.lines.first()
            note = credit_note_create(invoice=issued, by=None,
                                      lines=[LineData(product=first.product, description=first.description,
                                                      quantity=first.quantity, unit_price=first.unit_price)])  # fmt: skip
            ids.append(str(invoice_issue(invoice=note, by=None).pk))
    return ids


def _documents(ids: list[str]):  # type: ignore[no-untyped-def]
    from facturier.invoicing.models import Document

    by_id = {str(d.pk): d for d in Document.objects.select_related("entity", "customer").filter(pk__in=ids)}
    return [by_id[i] for i in ids]


class Timer:
    """Wall-clock and CPU time (all threads of this process) of a block."""

    def __enter__(self) -> Timer:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu


def _rate(count: int, timer: Timer | float, cpu: float | None = None) -> str:
    wall = timer.wall if isinstance(timer, Timer) else timer
    cpu = timer.cpu if isinstance(timer, Timer) else cpu
    text = f"{count / wall:8.1f}/s  {wall / count * 1000:7.2f} ms each"
    return text + (f"  (CPU {cpu / count * 1000:6.2f} ms each)" if cpu is not None else "")


def _breakdown(documents: list) -> str:  # type: ignore[type-arg]
    """CPU ms per step of `render_pdf`: CII, QR, content, Typst, XMP (fresh QR cache)."""
    from facturier.documents import engine, epc, render
    from facturier.documents.branding import document_branding
    from facturier.documents.context import build_context
    from facturier.domain.facturx import FacturXMetadata, add_facturx_metadata
    from facturier.invoicing.einvoice import document_xml
    from facturier.invoicing.to_en16931 import document_to_en16931

    epc.epc_qr_svg.cache_clear()
    steps = dict.fromkeys(("CII", "QR", "content", "Typst", "XMP"), 0.0)
    for document in documents:
        clock = time.process_time()
        xml = document_xml(document, syntax="cii", profile="EN16931")
        steps["CII"] += time.process_time() - clock
        invoice = document_to_en16931(document)
        clock = time.process_time()
        qr = render.epc_qr_for(document, invoice) or ""
        steps["QR"] += time.process_time() - clock
        clock = time.process_time()
        branding = document_branding(document)
        data = build_context(document, invoice, branding=branding, qr=bool(qr), logo=render._logo(branding))
        steps["content"] += time.process_time() - clock
        clock = time.process_time()
        attachment = engine.Attachment(name="factur-x.xml", content=xml.decode())
        pdf = engine.compile_pdf(
            "document.typ", data, attachments=(attachment,), extra_files={"qr.svg": qr} if qr else None
        )
        steps["Typst"] += time.process_time() - clock
        clock = time.process_time()
        add_facturx_metadata(pdf, FacturXMetadata.for_profile("EN16931"))
        steps["XMP"] += time.process_time() - clock
    return ", ".join(f"{name} {total / len(documents) * 1000:.1f}" for name, total in steps.items()) + " ms"


def _worker_init(data_dir: str) -> None:
    setup_django(data_dir)


def _warm(_: int) -> int:
    from facturier.documents.render import render_pdf
    from facturier.invoicing.models import Document

    render_pdf(Document.objects.filter(kind="invoice").exclude(number="").first())  # type: ignore[arg-type]
    time.sleep(1.0)  # hold this worker so the other one takes the second warm-up task
    return os.getpid()


def _render_chunk(ids: list[str]) -> float:
    """Render the documents; return the CPU seconds this process spent on them."""
    from facturier.documents.render import render_pdf

    started = time.process_time()
    for document in _documents(ids):
        render_pdf(document)
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--invoices", type=int, default=1000)
    parser.add_argument("--validate", type=int, default=50, help="how many to validate (schematron is slow)")
    parser.add_argument("--conformance", type=Path, default=DEFAULT_CONFORMANCE)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="facturier-bench-") as data_dir:
        setup_django(data_dir)
        started = time.perf_counter()
        ids = build_invoices(options.invoices)
        print(f"built and issued {len(ids)} documents in {time.perf_counter() - started:.1f} s")
        run(ids, options, data_dir)


def run(ids: list[str], options: argparse.Namespace, data_dir: str) -> None:
    from facturier.documents.render import render_pdf
    from facturier.domain.formats.cii import serialize_cii
    from facturier.domain.formats.cii.parser import parse_cii
    from facturier.invoicing.einvoice import document_xml
    from facturier.invoicing.to_en16931 import document_to_en16931

    documents = _documents(ids)
    rows: list[tuple[str, str]] = []

    with Timer() as timer:
        xmls = [document_xml(d, syntax="cii", profile="EN16931") for d in documents]
    rows.append(("XML map + serialize (CII)", _rate(len(xmls), timer)))

    models = [document_to_en16931(d) for d in documents]
    with Timer() as timer:
        for model in models:
            serialize_cii(model, profile="EN16931")
    rows.append(("XML serialize only (CII)", _rate(len(models), timer)))

    with Timer() as timer:
        for xml in xmls:
            parse_cii(xml)
    rows.append(("XML parse (CII)", _rate(len(xmls), timer)))

    if options.conformance.is_dir() and options.validate > 0:
        from django.conf import settings

        from facturier.invoicing.einvoice import validation_report

        settings.CONFORMANCE_DIR = str(options.conformance)
        started = time.perf_counter()
        validation_report(documents[0], syntax="cii", profile="EN16931", xml=xmls[0])
        rows.append(("validate: first call (compiles XSLT)", f"{time.perf_counter() - started:8.2f} s"))
        sample = random.Random(1).sample(range(len(xmls)), min(options.validate, len(xmls)))
        errors = 0
        rule_ids: collections.Counter[str] = collections.Counter()
        with Timer() as timer:
            for index in sample:
                report = validation_report(documents[index], syntax="cii", profile="EN16931", xml=xmls[index])
                errors += any(f.is_error for f in report.findings)
                rule_ids.update({f.rule_id for f in report.findings if f.is_error})
        rows.append((f"validate XSD+EN16931+FX (+BR-FR if B2B) ({len(sample)})", _rate(len(sample), timer)))
        top = ", ".join(f"{rule} x{n}" for rule, n in rule_ids.most_common(5))
        rows.append(("  documents with error findings", f"{errors} of {len(sample)} {top}".rstrip()))
    else:
        reason = (
            "--validate 0" if options.validate <= 0 else f"no conformance folder at {options.conformance}"
        )
        rows.append(("validate", f"skipped: {reason}"))

    render_pdf(documents[0])  # compiler creation, font loading
    short = {str(d.pk) for d in documents if d.lines.count() <= 12}
    walls: list[float] = []
    cpus: list[float] = []
    size = 0
    with Timer() as total:
        for document in documents:
            with Timer() as one:
                size += len(render_pdf(document))
            if str(document.pk) in short:
                walls.append(one.wall)
                cpus.append(one.cpu)
    rows.append(("Factur-X PDF, 1 process", _rate(len(documents), total)))
    rows.append(
        (
            f"  one-page invoices (<= 12 lines, {len(walls)}): median",
            f"{statistics.median(walls) * 1000:7.2f} ms wall, {statistics.median(cpus) * 1000:6.2f} ms CPU",
        )
    )
    rows.append(("  one-page invoices: 95th percentile",
                 f"{statistics.quantiles(walls, n=20)[-1] * 1000:7.2f} ms wall, "
                 f"{statistics.quantiles(cpus, n=20)[-1] * 1000:6.2f} ms CPU"))  # fmt: skip
    rows.append(("  average PDF size", f"{size / len(documents) / 1024:7.1f} KiB"))
    rows.append(
        ("  CPU breakdown, one-page invoices", _breakdown([d for d in documents if str(d.pk) in short]))
    )

    context = multiprocessing.get_context("spawn")
    with context.Pool(2, initializer=_worker_init, initargs=(data_dir,)) as pool:
        pids = pool.map(_warm, [0, 1], chunksize=1)
        chunks = [ids[i : i + 25] for i in range(0, len(ids), 25)]
        started = time.perf_counter()
        cpu = sum(pool.map(_render_chunk, chunks, chunksize=1))
        elapsed = time.perf_counter() - started
    rows.append((f"Factur-X PDF, 2 processes ({len(set(pids))} workers)", _rate(len(ids), elapsed, cpu)))

    width = max(len(label) for label, _ in rows)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"\n{'measure'.ljust(width)}  result   ({os.cpu_count()} CPUs, load {load}, {len(ids)} documents)")
    print("-" * (width + 40))
    for label, value in rows:
        print(f"{label.ljust(width)}  {value}")


if __name__ == "__main__":
    main()
