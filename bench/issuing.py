"""Issuing throughput on PostgreSQL with e-invoice validation on: 1, 2, 4, 16 processes at once (issue 9).

Usage:
  python bench/issuing.py --database postgres://postgres@127.0.0.1:5432/fact_bench [--invoices 120]
                          [--processes 1,2,4,16] [--conformance DIR] [--validation 20] [--chunk 50]

For each process count it creates `--invoices` committed drafts (1 to 5 lines, French B2B customers),
starts that many OS processes (each warms its validation engine up first, then all start together) and
has them issue the drafts, one transaction each, as `invoice_issue` does for the API (with `--chunk N`:
`invoice_issue_many` in chunks of N, as a billing run's workers do; an invoice's latency is its chunk's). Prints, per
process count: invoices/s (wall), p50/p99 latency of one issue, CPU seconds per invoice (all issuing
processes, user + system, PostgreSQL excluded), how long the series stays locked (from `take_number`
returning to the commit, p50/p99), how long `take_number` took (waiting for the series lock, p50/p99),
the share of the issues' latency spent waiting there, and the load average when it ran. Then the validation
CPU of one invoice (`validate_for_issue`, measured on the calling process, Saxon thread included), and
`audit verify` on what was issued. The machine is shared: read the CPU figures beside the wall ones.

To compare with another checkout, run it with `PYTHONPATH=<that checkout>/src` (the same database
schema is needed).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CONFORMANCE = ROOT / ".." / "shared" / "conformance"


def setup_django(database: str, conformance: str, data_dir: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database
    os.environ["FACTURIER_DATA_DIR"] = data_dir
    os.environ.setdefault("FACTURIER_STORAGE_URL", f"file://{data_dir}/issued")
    os.environ.setdefault("FACTURIER_SEAL_KEYS", "bench:bench-only-seal-secret-0123456789abcdef0123")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    import django
    from django.conf import settings

    django.setup()
    settings.CONFORMANCE_DIR = conformance
    settings.EINVOICE_VALIDATE_ON_ISSUE = True


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)  # every thread of the process (Saxon's included)
    return usage.ru_utime + usage.ru_stime


def prepare(count: int, run: int) -> list[str]:
    """`count` committed drafts of one entity; the entity is created once per database."""
    from django.core.management import call_command

    from facturier.accounts.models import LegalEntity
    from facturier.accounts.services import entity_create
    from facturier.catalog.models import Product
    from facturier.invoicing.services import LineData, document_create
    from facturier.parties.models import Customer

    call_command("migrate", verbosity=0)
    entity = LegalEntity.objects.filter(siren="552100554").first()
    if entity is None:
        entity = entity_create(
            by=None, name="Atelier Dupont SAS", legal_form="SAS", share_capital=Decimal("10000.00"),
            siren="552100554", siret="55210055400013", vat_number="FR96552100554", rcs="RCS Paris 552100554",
            address_line1="12 rue de la Paix", postcode="75002", city="Paris", iban="FR7630006000011234567890189",
            bic="AGRIFRPP", email="compta@dupont.example", electronic_address_scheme="0225",
            electronic_address="552100554",
        )  # fmt: skip
        for n in range(5):
            Customer.objects.create(entity=entity, code=f"C{n:03d}", name=f"Boulangerie {n} SARL",
                                    siren="443061841", vat_regime="domestic", language="fr",
                                    address_line1=f"{n + 1} place du Marché", postcode="69002", city="Lyon",
                                    electronic_address_scheme="0225", electronic_address="443061841")  # fmt: skip
        for n in range(10):
            Product.objects.create(entity=entity, sku=f"P{n}", name=f"Produit {n}", unit="C62",
                                   unit_price=Decimal(100 + 37 * n), vat_category="S", vat_rate=Decimal("20"),
                                   accounting_category="services")  # fmt: skip
    customers = list(Customer.objects.filter(entity=entity).order_by("code"))
    products = list(Product.objects.filter(entity=entity).order_by("sku"))
    return [
        str(document_create(entity=entity, kind="invoice", customer=customers[i % len(customers)], by=None,
                            lines=[LineData(product=products[(i + j) % len(products)], quantity=Decimal(j + 1))
                                   for j in range(1 + (i + run) % 5)]).pk)
        for i in range(count)
    ]  # fmt: skip


def worker(start_at: float, ids: list[str]) -> None:
    """One issuing process: warm up (compile the rules), wait for the start, issue, print JSON."""
    from facturier.invoicing.einvoice import validation_report
    from facturier.invoicing.models import Document
    from facturier.invoicing.services import invoice_issue

    validation_report(Document.objects.get(pk=ids[0]))  # compiles the stylesheets outside the measure
    from django.db import transaction

    from facturier.invoicing.services import issuing

    held: list[float] = []  # seconds the numbering series stays locked: from take_number to the commit
    take = issuing.take_number

    waited: list[float] = []  # seconds spent in take_number: waiting for the series lock (and its statement)

    def timed_take(**kwargs):  # type: ignore[no-untyped-def]
        asked = time.perf_counter()
        taken = take(**kwargs)
        locked_at = time.perf_counter()
        waited.append(locked_at - asked)
        transaction.on_commit(lambda: held.append(time.perf_counter() - locked_at))
        return taken

    issuing.take_number = timed_take
    time.sleep(max(0.0, start_at - time.time()))
    cpu, started = cpu_seconds(), time.time()
    latencies = []
    chunk = int(os.environ.get("BENCH_ISSUING_CHUNK") or 0)
    if chunk:  # as a billing run's worker issues: its drafts in chunks, an invoice's latency is its chunk's
        from facturier.invoicing.services import invoice_issue_many

        for first in range(0, len(ids), chunk):
            part = ids[first : first + chunk]
            began = time.perf_counter()
            found = {str(d.pk): d for d in Document.objects.filter(pk__in=part)}
            invoice_issue_many(invoices=[found[i] for i in part], by=None, chunk_size=chunk)
            latencies += [time.perf_counter() - began] * len(part)
    for invoice_id in ids if not chunk else ():
        began = time.perf_counter()
        invoice_issue(invoice=Document.objects.get(pk=invoice_id), by=None)
        latencies.append(time.perf_counter() - began)
    print(
        json.dumps(
            {
                "latencies": latencies,
                "cpu": cpu_seconds() - cpu,
                "started": started,
                "ended": time.time(),
                "held": held,
                "waited": waited,
            }
        )
    )


def run(processes: int, count: int, args: argparse.Namespace, data_dir: str, index: int) -> dict[str, float]:
    ids = prepare(count, index)
    slices = [ids[w::processes] for w in range(processes)]
    start_at = time.time() + 4 + processes * 0.8  # every process set up and warmed up by then
    env = {**os.environ, "BENCH_ISSUING_CHUNK": str(args.chunk)}
    children = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--database",
                args.database,
                "--conformance",
                args.conformance,
                "--data-dir",
                data_dir,
                "--worker",
                str(start_at),
                *chunk,
            ],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )  # fmt: skip
        for chunk in slices
    ]
    load = os.getloadavg()[0]
    results = [json.loads(child.communicate()[0].strip().splitlines()[-1]) for child in children]
    assert all(child.returncode == 0 for child in children)
    latencies = sorted(x for r in results for x in r["latencies"])
    wall = max(r["ended"] for r in results) - min(r["started"] for r in results)
    late = max(r["started"] for r in results) - min(r["started"] for r in results)
    return {
        "processes": processes, "invoices": len(latencies), "per_s": len(latencies) / wall,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
        "cpu_ms": 1000 * sum(r["cpu"] for r in results) / len(latencies),
        "held_ms": 1000 * statistics.median([x for r in results for x in r.get("held", [])] or [0.0]), "load": load, "late_start_s": late,
        "held_p99_ms": 1000 * _p99([x for r in results for x in r.get("held", [])]),
        "wait_ms": 1000 * statistics.median([x for r in results for x in r.get("waited", [])] or [0.0]),
        "wait_p99_ms": 1000 * _p99([x for r in results for x in r.get("waited", [])]),
        "wait_share": sum(x for r in results for x in r.get("waited", [])) / max(1e-9, sum(latencies)),
    }  # fmt: skip


def _p99(values: list[float]) -> float:
    values = sorted(values) or [0.0]
    return values[min(len(values) - 1, int(0.99 * len(values)))]


def validation_cpu(samples: int) -> float:
    """CPU ms of `validate_for_issue` per invoice (already compiled), on issued invoices."""
    from facturier.invoicing.einvoice import issued_xml_files, validate_for_issue
    from facturier.invoicing.models import Document

    documents = list(Document.objects.filter(status="issued").order_by("-issued_at")[: samples + 1])
    validate_for_issue(documents[0], files=issued_xml_files(documents[0]))
    files = [(d, issued_xml_files(d)) for d in documents[1:]]
    cpu = cpu_seconds()
    for document, xml in files:
        validate_for_issue(document, files=xml)
    return 1000 * (cpu_seconds() - cpu) / max(1, len(files))


def render_split(samples: int) -> dict[str, float]:
    """CPU ms per one-page Factur-X PDF, stage by stage, with the process's Typst compiler warm."""
    from facturier.documents import render
    from facturier.documents.engine import Attachment, compile_pdf
    from facturier.domain.facturx import XML_FILENAME, FacturXMetadata, add_facturx_metadata
    from facturier.domain.formats import detect_and_parse
    from facturier.domain.formats.outgoing import declared_profile
    from facturier.invoicing.einvoice import issued_xml_files
    from facturier.invoicing.models import Document

    documents = list(Document.objects.filter(status="issued", lines__isnull=False).distinct()[: samples + 1])
    xmls = [issued_xml_files(d)["cii"] for d in documents]
    render.render_pdf(
        documents[0], xml=xmls[0]
    )  # the compiler, fonts and template loaded outside the measure
    totals = dict.fromkeys(
        ("parse XML", "context + QR", "Typst compile", "Factur-X XMP", "whole render_pdf"), 0.0
    )
    for document, xml in zip(documents[1:], xmls[1:], strict=True):
        t0 = time.process_time()
        invoice = detect_and_parse(xml)
        profile = declared_profile(invoice).upper()
        t1 = time.process_time()
        branding = render.document_branding(document)
        qr = render._epc_qr(document, invoice)
        data = render.build_context(document, invoice, branding=branding, qr=qr is not None,
                                    logo=render._logo(branding))  # fmt: skip
        t2 = time.process_time()
        attachment = Attachment(name=XML_FILENAME, content=xml.decode(), description="Factur-X invoice")
        pdf = compile_pdf(render.TEMPLATE, data, attachments=(attachment,), extra_files={"qr.svg": qr} if qr else None,
                          timestamp=render._timestamp(document))  # fmt: skip
        t3 = time.process_time()
        add_facturx_metadata(pdf, FacturXMetadata.for_profile(profile))
        t4 = time.process_time()
        render.render_pdf(document, xml=xml)
        t5 = time.process_time()
        for name, spent in zip(totals, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4), strict=True):
            totals[name] += spent
    count = max(1, len(documents) - 1)
    return {name: 1000 * spent / count for name, spent in totals.items()}


def profile(count: int, cprofile: bool, show_sql: bool = False) -> None:
    """Issue `count` invoices in this process, one at a time, and split one issue's cost: CPU ms per phase,
    queries per issue (all, and inside the numbering lock), wall ms the series stays locked. With
    `--cprofile`, the top functions by cumulative time as well."""
    from django.db import connection, transaction

    from facturier.audit import checkpoints
    from facturier.audit import services as audit_services
    from facturier.invoicing import einvoice, sealing
    from facturier.invoicing.einvoice import validation_report
    from facturier.invoicing.models import Document
    from facturier.invoicing.services import invoice_issue, issuing

    ids = prepare(count + 1, 99)
    validation_report(Document.objects.get(pk=ids[0]))  # compile the stylesheets outside the measure
    invoice_issue(invoice=Document.objects.get(pk=ids.pop(0)), by=None)  # warm every other cache
    cpu: dict[str, float] = {}
    calls: dict[str, int] = {}
    state = {"queries": 0, "locked_queries": 0, "db_ms": 0.0, "locked_at": None, "held": 0.0}
    statements: list[str] = []  # the SQL of the last issue, "*" marking those under the numbering lock

    def timed(name: str, function):  # type: ignore[no-untyped-def]
        def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            t0 = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                cpu[name] = cpu.get(name, 0.0) + time.process_time() - t0
                calls[name] = calls.get(name, 0) + 1

        return wrapper

    take = issuing.take_number

    def timed_take(**kwargs):  # type: ignore[no-untyped-def]
        taken = take(**kwargs)
        state["locked_at"] = time.perf_counter()

        def released() -> None:
            state["held"] += time.perf_counter() - state["locked_at"]
            state["locked_at"] = None

        transaction.on_commit(released)
        return taken

    issuing.take_number = timed_take
    einvoice.issued_xml = timed("map + serialize XML", einvoice.issued_xml)
    einvoice.issued_xml_files = timed("serialize XML again (fallback)", einvoice.issued_xml_files)
    einvoice.renumbered = timed("renumber the validated XML", einvoice.renumbered)
    einvoice.validate_for_issue = timed("validate", einvoice.validate_for_issue)
    issuing.seal = timed("seal", sealing.seal)
    issuing.audit_record = timed("audit event + outbox", audit_services.audit_record)
    if hasattr(issuing, "audit_record_many"):
        issuing.audit_record_many = timed("audit event + outbox", audit_services.audit_record_many)
    checkpoints.write_checkpoints = timed("checkpoint (after commit)", checkpoints.write_checkpoints)
    from facturier.invoicing.hooks import IssuedFilesKeeper, _keeper

    keeper = _keeper[0]
    extra = (
        {"store_many": timed("store files", keeper.store_many)} if getattr(keeper, "store_many", None) else {}
    )
    if getattr(keeper, "file_rows", None):
        extra["file_rows"] = timed("store files", keeper.file_rows)
    _keeper[0] = IssuedFilesKeeper(
        store=timed("store files", keeper.store), schedule_pdf=keeper.schedule_pdf, **extra
    )

    def counting(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        state["queries"] += 1
        if state["locked_at"] is not None:
            state["locked_queries"] += 1
        statements.append(("* " if state["locked_at"] is not None else "  ") + " ".join(sql.split())[:150])
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            state["db_ms"] += 1000 * (time.perf_counter() - t0)

    import cProfile
    import pstats

    profiler = cProfile.Profile(time.process_time) if cprofile else None  # CPU of every thread, not wall
    documents = [Document.objects.get(pk=pk) for pk in ids]
    total = time.process_time()
    wall = time.perf_counter()
    with connection.execute_wrapper(counting):
        if profiler:
            profiler.enable()
        for document in documents:
            statements.clear()
            invoice_issue(invoice=document, by=None)
        if profiler:
            profiler.disable()
    total = time.process_time() - total
    wall = time.perf_counter() - wall
    n = len(documents)
    print(f"one process, {n} issues: {1000 * total / n:.1f} CPU ms and {1000 * wall / n:.1f} wall ms per issue "
          f"(load {os.getloadavg()[0]:.1f})")  # fmt: skip
    for name in sorted(cpu, key=lambda k: -cpu[k]):
        print(f"  {name:<28} {1000 * cpu[name] / n:6.1f} CPU ms/issue ({calls[name] / n:.1f} calls)")
    print(f"  {'rest (Django, SQL client...)':<28} {1000 * (total - sum(cpu.values())) / n:6.1f} CPU ms/issue "
          "(the phases above overlap where one calls another)")  # fmt: skip
    print(f"queries per issue: {state['queries'] / n:.1f}, inside the numbering lock: "
          f"{state['locked_queries'] / n:.1f}; DB wall per issue {state['db_ms'] / n:.1f} ms; "
          f"series locked {1000 * state['held'] / n:.1f} ms per issue")  # fmt: skip
    if show_sql:
        print("the statements of the last issue ('*': under the numbering lock):")
        print("\n".join(statements))
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)


def batch(count: int, chunk: int, cprofile: bool) -> None:
    """Issue `count` drafts in this process with `invoice_issue_many` in chunks of `chunk` (as a billing run
    does) and print the CPU ms and statements per invoice. Validation on, compiled rules warmed up first."""
    from django.db import connection

    from facturier.invoicing.einvoice import validation_report
    from facturier.invoicing.models import Document
    from facturier.invoicing.services import invoice_issue, invoice_issue_many

    ids = prepare(count + 1, 98)
    validation_report(Document.objects.get(pk=ids[0]))  # compile the stylesheets outside the measure
    invoice_issue(invoice=Document.objects.get(pk=ids.pop(0)), by=None)  # warm every other cache
    state = {"queries": 0}

    def counting(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        state["queries"] += 1
        return execute(sql, params, many, context)

    import cProfile
    import pstats

    profiler = cProfile.Profile() if cprofile else None
    documents = list(Document.objects.filter(pk__in=ids))
    documents.sort(key=lambda d: ids.index(str(d.pk)))
    chunks = (len(documents) + chunk - 1) // chunk
    total, wall = time.process_time(), time.perf_counter()
    with connection.execute_wrapper(counting):
        if profiler:
            profiler.enable()
        invoice_issue_many(invoices=documents, by=None, chunk_size=chunk)
        if profiler:
            profiler.disable()
    total, wall = time.process_time() - total, time.perf_counter() - wall
    n = len(documents)
    print(f"invoice_issue_many, {n} invoices in {chunks} chunks of {chunk}: {1000 * total / n:.1f} CPU ms and "
          f"{1000 * wall / n:.1f} wall ms per invoice; {state['queries'] / n:.2f} statements per invoice "
          f"({state['queries'] / chunks:.1f} per chunk; PDF tasks queued after commit included) "
          f"(load {os.getloadavg()[0]:.1f})")  # fmt: skip
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", required=True)
    parser.add_argument("--invoices", type=int, default=120, help="invoices issued per process count")
    parser.add_argument("--processes", default="1,2,4,16")
    parser.add_argument("--conformance", default=str(DEFAULT_CONFORMANCE.resolve()))
    parser.add_argument("--validation", type=int, default=20, help="invoices for the validation CPU figure")
    parser.add_argument("--data-dir", default="")
    parser.add_argument(
        "--render-only", type=int, default=0, help="only the Factur-X render split, on N invoices"
    )
    parser.add_argument(
        "--profile", type=int, default=0, help="only split the cost of N issues in one process"
    )
    parser.add_argument(
        "--batch",
        type=int,
        default=0,
        help="only issue --invoices drafts with invoice_issue_many, chunks of N",
    )
    parser.add_argument(
        "--cprofile", action="store_true", help="with --profile or --batch: print a cProfile too"
    )
    parser.add_argument("--sql", action="store_true", help="with --profile: print the SQL of one issue")
    parser.add_argument(
        "--chunk",
        type=int,
        default=0,
        help="the processes issue with invoice_issue_many, chunks of N (as billing runs do); p50/p99 per chunk",
    )
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    # one data dir per database, so that the files of invoices issued by an earlier run are still there
    data_dir = args.data_dir or str(
        Path(tempfile.gettempdir()) / f"facturier-bench-issuing-{args.database.rsplit('/', 1)[-1]}"
    )
    setup_django(args.database, args.conformance, data_dir)
    if args.worker:
        worker(float(args.worker[0]), args.worker[1:])
        return
    if args.batch:
        batch(args.invoices, args.batch, args.cprofile)
        return
    if args.profile:
        profile(args.profile, args.cprofile, args.sql)
        return
    if args.render_only:
        split = render_split(args.render_only)
        print(
            "Factur-X render, CPU ms per one-page invoice:",
            ", ".join(f"{k} {v:.1f}" for k, v in split.items()),
        )
        return
    rows = [run(int(p), args.invoices, args, data_dir, i) for i, p in enumerate(args.processes.split(","))]
    print(
        f"{'processes':>9} {'invoices':>8} {'inv/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'CPU ms/inv':>10} "
        f"{'locked p50/p99 ms':>17} {'lock wait p50/p99 ms':>20} {'wait share':>10} {'load':>5}"
    )
    for row in rows:
        print(f"{row['processes']:>9} {row['invoices']:>8} {row['per_s']:>7.1f} {row['p50_ms']:>8.0f} "
              f"{row['p99_ms']:>8.0f} {row['cpu_ms']:>10.1f} "
              f"{row['held_ms']:>8.1f}/{row['held_p99_ms']:<8.1f} {row['wait_ms']:>10.1f}/{row['wait_p99_ms']:<9.1f} "
              f"{100 * row['wait_share']:>9.0f}% {row['load']:>5.1f}")  # fmt: skip
    print(
        f"validation CPU per invoice: {validation_cpu(args.validation):.1f} ms (load {os.getloadavg()[0]:.1f})"
    )
    from facturier.audit.verify import verify_all

    breaches = verify_all()
    print("audit verify:", "OK" if not breaches else f"{len(breaches)} breaches, first: {breaches[0]}")


if __name__ == "__main__":
    main()
