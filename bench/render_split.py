"""CPU split of one Factur-X rendering (one-page invoices), the way issued PDFs are rendered.

Usage: python bench/render_split.py [--invoices 60] [--rounds 3]

Builds and issues invoices in a throw-away SQLite database (as bench/einvoice.py does), keeps the
one-page ones (<= 12 lines), warms up, then renders each one as ``documents.issued.ensure_pdf`` does
for a missing PDF (its stored-file lookups, then ``render_pdf(document, xml=stored CII)``, without
storing the result) and reports time.process_time per document, in total and per step: reading the
stored files (rows, CII), parsing the CII, branding + logo, EPC QR, template data, Typst compile,
Factur-X XMP. Prints the load average beside the figures. Runs on older checkouts too
(``PYTHONPATH=<checkout>/src``): what they lack is replaced by what they did.
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


def _render_missing(document) -> bytes:  # type: ignore[no-untyped-def]
    """What ``ensure_pdf`` does for a missing PDF, without storing it (older checkouts: their way)."""
    from facturier.documents import issued

    render_issued = getattr(issued, "render_issued_pdf", None)
    if render_issued is not None:
        return render_issued(document)  # type: ignore[no-any-return]
    from facturier.documents.models import FileKind
    from facturier.documents.render import render_pdf
    from facturier.documents.stored import stored_file

    stored_file(document, FileKind.FACTURX)  # ensure_pdf's check that the PDF is missing
    return render_pdf(document, xml=issued.issued_cii(document))


def _read_stored(document):  # type: ignore[no-untyped-def]
    """The stored-file reads of ``ensure_pdf``: (CII bytes, branding's ``stored`` argument or None)."""
    from facturier.documents import issued
    from facturier.documents.models import FileKind

    rows_of = getattr(issued, "_stored_rows", None)
    if rows_of is None:
        from facturier.documents.stored import stored_file

        stored_file(document, FileKind.FACTURX)
        return issued.issued_cii(document), None
    rows = rows_of(document)
    names = {kind: row.name for kind, row in rows.items() if kind in (FileKind.CII, FileKind.LOGO)}
    return issued._cii(document, rows.get(FileKind.CII)), names


def _split(documents: list, rounds: int) -> dict[str, list[float]]:  # type: ignore[type-arg]
    """CPU ms of each step for each document, replaying ``render_pdf(document, xml=...)`` step by step."""
    from facturier.documents import render
    from facturier.documents.branding import document_branding
    from facturier.documents.context import build_context
    from facturier.documents.engine import Attachment
    from facturier.domain.facturx import XML_FILENAME, FacturXMetadata, add_facturx_metadata
    from facturier.domain.formats import detect_and_parse
    from facturier.domain.formats.outgoing import declared_profile

    steps: dict[str, list[float]] = defaultdict(list)
    for _ in range(rounds):
        _clear_caches()
        for document in documents:
            lap: dict[str, float] = defaultdict(float)
            clock = time.process_time()
            xml, names = _read_stored(document)
            lap["read stored files"] += time.process_time() - clock
            clock = time.process_time()
            invoice = detect_and_parse(xml)
            chosen = declared_profile(invoice).upper()
            lap["parse CII"] += time.process_time() - clock
            clock = time.process_time()
            branding = (
                document_branding(document) if names is None else document_branding(document, stored=names)
            )
            logo = render._logo(branding)
            lap["branding + logo"] += time.process_time() - clock
            clock = time.process_time()
            qr = render._epc_qr(document, invoice)
            lap["EPC QR"] += time.process_time() - clock
            clock = time.process_time()
            data = build_context(document, invoice, branding=branding, qr=qr is not None, logo=logo)
            lap["template data"] += time.process_time() - clock
            clock = time.process_time()
            attachment = Attachment(name=XML_FILENAME, content=xml.decode("utf-8"))
            files = {} if qr is None else {"qr.svg": qr}
            one_page = getattr(render, "likely_one_page", lambda invoice: False)(
                invoice
            )  # older checkouts lack it
            kwargs = {"one_page": one_page} if one_page else {}
            pdf = render._compile(data, (attachment,), files, render._timestamp(document), **kwargs)
            lap["Typst compile"] += time.process_time() - clock
            clock = time.process_time()
            add_facturx_metadata(pdf, FacturXMetadata.for_profile(chosen))
            lap["Factur-X XMP"] += time.process_time() - clock
            for name, seconds in lap.items():
                steps[name].append(seconds * 1000)
    return steps


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
        documents = [d for d in _documents(ids) if d.lines.count() <= 12]
        for document in documents[:5]:  # compiler creation, font loading, caches
            _render_missing(document)
        cpus: list[float] = []
        for _ in range(options.rounds):
            _clear_caches()
            for document in documents:
                clock = time.process_time()
                _render_missing(document)
                cpus.append(time.process_time() - clock)
        load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
        print(f"{len(documents)} one-page documents x {options.rounds} rounds, load average {load}")
        print(f"code: {Path(sys.modules['facturier'].__file__ or '').parent}")
        print(
            f"ensure_pdf's rendering: mean {statistics.mean(cpus) * 1000:.2f} ms CPU, "
            f"median {statistics.median(cpus) * 1000:.2f}, p95 {statistics.quantiles(cpus, n=20)[-1] * 1000:.2f}"
        )
        split = _split(documents, options.rounds)
        print(f"  {'step (CPU ms)':<18} {'mean':>6} {'median':>6} {'p95':>6}")
        for name, values in split.items():
            print(
                f"  {name:<18} {statistics.mean(values):6.2f} {statistics.median(values):6.2f} "
                f"{statistics.quantiles(values, n=20)[-1]:6.2f}"
            )
        totals = [sum(values) for values in zip(*split.values(), strict=True)]
        print(
            f"  {'sum of the steps':<18} {statistics.mean(totals):6.2f} {statistics.median(totals):6.2f} "
            f"{statistics.quantiles(totals, n=20)[-1]:6.2f}"
        )
        load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
        print(f"load average after: {load}")


if __name__ == "__main__":
    main()
