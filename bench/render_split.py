"""CPU split of one Factur-X rendering (one-page invoices), the way issued PDFs are rendered.

Usage: python bench/render_split.py [--invoices 60] [--rounds 3]

Builds and issues invoices in a throw-away SQLite database (as bench/einvoice.py does), keeps the
one-page ones (<= 12 lines), warms up, then renders each one ``render_pdf(document, xml=stored CII)``
(what ``documents.issued.ensure_pdf`` does) and reports time.process_time per document, in total
and per step: reading the stored files (CII, logo), parsing the CII, branding, EPC QR, template data,
Typst compile, Factur-X XMP. Prints the load average beside the figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from einvoice import _documents, build_invoices, setup_django  # noqa: E402


def _clear_caches() -> None:
    """Forget what one document's rendering keeps for the next (each invoice is rendered once): the EPC QR
    per payload and the formatted amounts, numbers and dates. Logos stay cached, as they are shared by
    every invoice of a company."""
    from facturier.documents import epc, formatting

    epc.epc_qr_svg.cache_clear()
    for name in ("_money", "_number", "_date"):  # older checkouts have no such caches
        cached = getattr(formatting, name, None)
        if cached is not None:
            cached.cache_clear()


def _split(documents: list, rounds: int) -> dict[str, float]:  # type: ignore[type-arg]
    """CPU ms per document and step, replaying ``render_pdf(document, xml=...)`` step by step."""
    from facturier.documents import render
    from facturier.documents.branding import document_branding
    from facturier.documents.context import build_context
    from facturier.documents.engine import Attachment
    from facturier.documents.issued import issued_cii
    from facturier.domain.facturx import XML_FILENAME, FacturXMetadata, add_facturx_metadata
    from facturier.domain.formats import detect_and_parse
    from facturier.domain.formats.outgoing import declared_profile

    steps: dict[str, float] = defaultdict(float)
    for _ in range(rounds):
        _clear_caches()
        for document in documents:
            clock = time.process_time()
            xml = issued_cii(document)
            steps["read stored CII"] += time.process_time() - clock
            clock = time.process_time()
            invoice = detect_and_parse(xml)
            chosen = declared_profile(invoice).upper()
            steps["parse CII"] += time.process_time() - clock
            clock = time.process_time()
            branding = document_branding(document)
            logo = render._logo(branding)
            steps["branding + logo"] += time.process_time() - clock
            clock = time.process_time()
            qr = render._epc_qr(document, invoice)
            steps["EPC QR"] += time.process_time() - clock
            clock = time.process_time()
            data = build_context(document, invoice, branding=branding, qr=qr is not None, logo=logo)
            steps["template data"] += time.process_time() - clock
            clock = time.process_time()
            attachment = Attachment(name=XML_FILENAME, content=xml.decode("utf-8"))
            files = {} if qr is None else {"qr.svg": qr}
            one_page = getattr(render, "likely_one_page", lambda invoice: False)(
                invoice
            )  # older checkouts lack it
            kwargs = {"one_page": one_page} if one_page else {}
            pdf = render._compile(data, (attachment,), files, render._timestamp(document), **kwargs)
            steps["Typst compile"] += time.process_time() - clock
            clock = time.process_time()
            add_facturx_metadata(pdf, FacturXMetadata.for_profile(chosen))
            steps["Factur-X XMP"] += time.process_time() - clock
    count = len(documents) * rounds
    return {name: total / count * 1000 for name, total in steps.items()}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--invoices", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--data-dir", type=Path, help="keep the database here and reuse it on the next run")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="facturier-bench-") as scratch:
        data_dir = str(options.data_dir or scratch)
        reuse = (Path(data_dir) / "ids.txt").is_file()
        setup_django(data_dir)
        if reuse:
            ids = (Path(data_dir) / "ids.txt").read_text().split()
        else:
            ids = build_invoices(options.invoices)
            (Path(data_dir) / "ids.txt").write_text("\n".join(ids))
        from facturier.documents.issued import issued_cii
        from facturier.documents.render import render_pdf

        documents = [d for d in _documents(ids) if d.lines.count() <= 12]
        for document in documents[:5]:  # compiler creation, font loading, caches
            render_pdf(document, xml=issued_cii(document))
        cpus: list[float] = []
        for _ in range(options.rounds):
            _clear_caches()
            for document in documents:
                clock = time.process_time()
                render_pdf(document, xml=issued_cii(document))
                cpus.append(time.process_time() - clock)
        load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
        print(f"{len(documents)} one-page documents x {options.rounds} rounds, load average {load}")
        print(
            f"render_pdf(xml=stored CII): mean {statistics.mean(cpus) * 1000:.2f} ms CPU, "
            f"median {statistics.median(cpus) * 1000:.2f}, p95 {statistics.quantiles(cpus, n=20)[-1] * 1000:.2f}"
        )
        split = _split(documents, options.rounds)
        for name, value in split.items():
            print(f"  {name:<18} {value:6.2f} ms")
        print(f"  {'sum':<18} {sum(split.values()):6.2f} ms")
        load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
        print(f"load average after: {load}")


if __name__ == "__main__":
    main()
