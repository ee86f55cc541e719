"""The `facturier` command: one entry point for installing, running and operating Facturier.

Each subcommand maps onto a Django management command, so everything can also be run with
`python -m django <command>`; this wrapper adds the product's names, defaults and exit codes.
"""

import argparse
import os
import signal
import subprocess
import sys
from collections.abc import Sequence

DEFAULT_SETTINGS = "config.settings.dev"
PRODUCTION_SETTINGS = "config.settings.prod"


def _settings_module(args: argparse.Namespace) -> str:
    """`serve` runs production settings unless asked for development (`--dev`, or an explicit
    DJANGO_SETTINGS_MODULE); every other command, `demo` included, defaults to development settings."""
    if args.command == "serve" and args.dev:
        return DEFAULT_SETTINGS
    default = PRODUCTION_SETTINGS if args.command == "serve" else DEFAULT_SETTINGS
    return os.environ.get("DJANGO_SETTINGS_MODULE") or default


def _django_setup(settings_module: str) -> None:
    """Load the settings; a configuration mistake (no SECRET_KEY in production, a mistyped EMAIL_URL)
    raises ImproperlyConfigured, which `main` prints as one line."""
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    import django

    django.setup()


def _call(command: str, *args: str) -> int:
    from django.core.management import call_command

    try:
        call_command(command, *args)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


def _call_reporting(command: str, *args: str) -> int:
    """Like `_call`, but a CommandError is printed and becomes the exit code (no traceback)."""
    from django.core.management import CommandError

    try:
        return _call(command, *args)
    except CommandError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.returncode or 1


def _stop_on_sigterm() -> None:
    """Turn SIGTERM (systemd, docker stop, kill) into the same clean exit as Ctrl+C."""

    def _raise(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _raise)


def _gunicorn(host: str, port: int, workers: int) -> list[str]:
    """The production WSGI server's command line: gunicorn, its sync workers forked from one master."""
    return [
        sys.executable, "-m", "gunicorn", "config.wsgi:application",
        f"--bind={host}:{port}", f"--workers={workers}", "--graceful-timeout=10",
        "--access-logfile=-", "--error-logfile=-", "--no-control-socket",
    ]  # fmt: skip


def _serve(port: int, *, host: str = "127.0.0.1", workers: int = 2, with_worker: bool = True) -> int:
    """Run gunicorn and, beside it, a background worker; stop both together (Ctrl+C or SIGTERM).

    Static files are collected first under production settings (unchanged files are skipped, so a
    restart takes a second); WhiteNoise serves them from the apps directly in development.
    """
    from django.conf import settings
    from django.db import connections

    if not settings.WHITENOISE_USE_FINDERS:
        _call("collectstatic", "--no-input", "-v", "0")
    if not settings.DEBUG and settings.SECURE_SSL_REDIRECT and not settings.SECURE_PROXY_SSL_HEADER:
        print(
            "note: plain-HTTP requests are redirected to HTTPS; behind a TLS proxy set "
            "FACTURIER_BEHIND_TLS_PROXY=1, to try it over plain HTTP set FACTURIER_SSL_REDIRECT=0",
            flush=True,
        )
    connections.close_all()  # the children open their own
    _stop_on_sigterm()
    worker = None
    if with_worker:
        worker = subprocess.Popen([sys.executable, "-m", "facturier.cli", "worker"])  # noqa: S603
    web = subprocess.Popen(_gunicorn(host, port, workers))  # noqa: S603
    try:
        print(f"Facturier is running on http://{host}:{port}/  (Ctrl+C to stop)", flush=True)
        return web.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        for child in (web, worker):
            if child is not None and child.poll() is None:
                child.terminate()
        for child in (web, worker):
            if child is not None:
                child.wait(timeout=15)


def _conformance_options(args: argparse.Namespace) -> list[str]:
    if args.conformance_command != "install":
        return []
    options = [args.path] if args.path else []
    options += [f"--source={value}" for value in args.source] + [f"--sha256={value}" for value in args.sha256]
    return options + ([f"--timeout={args.timeout}"] if args.timeout else [])


DEMO_DOWNLOAD_TIMEOUT = "5"


def _demo(args: argparse.Namespace) -> int:
    _call("migrate", "--no-input", "-v", "0")
    # The official rules when the network allows (a few seconds at most), else one line saying so.
    _call("conformance", "install", "--if-missing", "--optional", f"--timeout={DEMO_DOWNLOAD_TIMEOUT}")
    code = _call("load_demo", "--port", str(args.port))
    if code or args.no_serve:
        return code
    return _serve(args.port)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="facturier", description="Facturier: invoicing and receivables.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="create or upgrade the database schema")
    demo_help = (
        "migrate, load the demo company and serve it on 127.0.0.1 (development settings: a local "
        "demo, never a production server; use 'serve' for that)"
    )
    demo = sub.add_parser("demo", help=demo_help, description=demo_help)
    demo.add_argument("--no-serve", action="store_true", help="load the demo data and exit")
    demo.add_argument("--port", type=int, default=8000)
    serve_help = (
        "run the web server (gunicorn) and a background worker, with production settings: SECRET_KEY required"
    )
    serve = sub.add_parser("serve", help=serve_help, description=serve_help)
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("WEB_CONCURRENCY") or os.cpu_count() or 2),
        help="web worker processes (default: WEB_CONCURRENCY or one per CPU core)",
    )
    serve.add_argument(
        "--dev",
        action="store_true",
        help="development settings (DEBUG on, a fixed secret key): never in production",
    )
    sub.add_parser(
        "worker", help="run a background worker (Django Tasks, database backend) with the scheduler"
    )
    sub.add_parser("createsuperuser", help="create an administrator account")
    apikey = sub.add_parser("apikey", help="manage API keys")
    apikey_sub = apikey.add_subparsers(dest="apikey_command", required=True)
    create = apikey_sub.add_parser("create", help="create an API key and print it once")
    create.add_argument("--entity", required=True, help="entity name, SIREN or id")
    create.add_argument(
        "--scopes",
        required=True,
        help="comma-separated, e.g. invoices:read,invoices:write; invoices:approve and credit_notes:approve "
        "(not implied by write) for a key that approves, never what it submitted itself",
    )
    create.add_argument("--name", default="API key")
    for action, text in (("list", "list a company's API keys"), ("revoke", "revoke an API key at once")):
        manage_key = apikey_sub.add_parser(action, help=text)
        manage_key.add_argument("--entity", required=True, help="entity name, SIREN or id")
        if action == "revoke":
            manage_key.add_argument("--prefix", required=True, help="the key's prefix, from 'apikey list'")
    unlock = sub.add_parser("unlock-user", help="lift a sign-in lock (too many failed attempts) now")
    unlock.add_argument("username", nargs="?", metavar="USERNAME")
    unlock.add_argument("--address", help="unblock this client IP address instead (or as well)")
    audit = sub.add_parser("audit", help="audit trail tools")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    audit_sub.add_parser(
        "verify",
        help="check seals, numbering, audit coverage and checkpoints; exit 1 naming what was changed",
    )
    audit_sub.add_parser("checkpoint", help="write a signed checkpoint of every chain (run it daily)")
    audit_sub.add_parser("keygen", help="create the seal key file, or put a new current key first (rotation)")
    receive = sub.add_parser(
        "import-einvoice", help="import supplier e-invoices (PDF, XML, zip) into the inbox"
    )
    receive.add_argument("files", nargs="+", metavar="FILE")
    receive.add_argument("--entity", required=True, help="entity id, SIREN or name")
    bank_account = sub.add_parser("bank-account", help="a company's bank accounts")
    bank_account_sub = bank_account.add_subparsers(dest="bank_account_command", required=True)
    bank_add = bank_account_sub.add_parser("add", help="add a bank account (IBAN and BIC are checked)")
    bank_add.add_argument("--entity", required=True, help="entity id, SIREN or name")
    bank_add.add_argument("--iban", default="", help="the account's IBAN")
    bank_add.add_argument("--name", default="", help="a name for the account")
    bank_add.add_argument("--bic", default="", help="the bank's BIC")
    bank_add.add_argument("--currency", help="ISO code (default: the company's currency)")
    bank_add.add_argument("--account-number", default="", help="for a bank without IBAN: its account number")
    bank_add.add_argument("--csv-mapping", metavar="FILE.json", help="how to read this bank's CSV exports")
    bank_mapping = bank_account_sub.add_parser(
        "csv-mapping", help="save or remove how a bank's CSV exports are read"
    )
    bank_mapping.add_argument("--entity", required=True, help="entity id, SIREN or name")
    bank_mapping.add_argument("--account", required=True, help="the account's IBAN, or its account number")
    bank_mapping_choice = bank_mapping.add_mutually_exclusive_group(required=True)
    bank_mapping_choice.add_argument(
        "--mapping", metavar="FILE.json", help="the column mapping (docs/banking.md)"
    )
    bank_mapping_choice.add_argument("--remove", action="store_true", help="forget the mapping")
    statements = sub.add_parser(
        "import-statement",
        help="import bank statements (camt.053/054, MT940, OFX, CFONB 120, CSV); lines are never duplicated",
    )
    statements.add_argument("files", nargs="+", metavar="FILE")
    statements.add_argument("--entity", required=True, help="entity id, SIREN or name")
    statements.add_argument(
        "--account", metavar="IBAN", help="the account, when the file does not name it (CSV)"
    )
    statements.add_argument(
        "--no-reconcile", action="store_true",
        help="do not reconcile the open lines automatically after the import",
    )  # fmt: skip
    open_items = sub.add_parser(
        "import-open-items",
        help="import the unpaid invoices of the previous tool (CSV) as open items to reconcile",
    )
    open_items.add_argument("file", metavar="FILE")
    open_items.add_argument("--entity", required=True, help="entity id, SIREN or name")
    open_items.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="OLD=NEW",
        help="a column of the file and our name for it",
    )
    reconcile = sub.add_parser(
        "reconcile",
        help="reconcile the open bank lines with open invoices (certain ones settled, likely ones proposed)",
    )
    reconcile.add_argument("--entity", required=True, help="entity id, SIREN or name")
    reconciliation = sub.add_parser("reconciliation", help="the results of bank reconciliation")
    reconciliation_sub = reconciliation.add_subparsers(dest="reconciliation_command", required=True)
    reconciliation_export = reconciliation_sub.add_parser(
        "export", help="one row per bank line (bank_reference, date, amount, status, invoices, score, reason)"
    )
    reconciliation_export.add_argument("--entity", required=True, help="entity id, SIREN or name")
    reconciliation_export.add_argument("--format", choices=("csv", "json"), default="csv")
    reconciliation_export.add_argument(
        "--out", metavar="F", help="the file to write (default: standard output)"
    )
    reconciliation_export.add_argument("--language", default="en", help="language of the reasons (en, fr)")
    reconciliation_rules = reconciliation_sub.add_parser(
        "rules",
        help="show or change the rules: fees and write-off tolerances and accounts, confidence thresholds",
    )
    reconciliation_rules.add_argument("--entity", required=True, help="entity id, SIREN or name")
    reconciliation_rules.add_argument(
        "--fee-tolerance", help="a shortfall up to this is bank fees (default 5.00)"
    )
    reconciliation_rules.add_argument("--fee-account", help="account of bank fees (default 627)")
    reconciliation_rules.add_argument(
        "--writeoff-tolerance", help="a difference up to this is written off (1.00)"
    )
    reconciliation_rules.add_argument("--writeoff-account", help="account of write-offs (default 658)")
    reconciliation_rules.add_argument(
        "--auto-threshold", help="confidence to settle a line alone, 0-1 (0.95)"
    )
    reconciliation_rules.add_argument("--propose-threshold", help="confidence to propose a match, 0-1 (0.5)")
    reconciliation_rules.add_argument("--max-items-in-sum", help="invoices one transfer may pay, at most (5)")
    conformance = sub.add_parser("conformance", help="official e-invoice validation rules (XSD, schematron)")
    conformance_sub = conformance.add_subparsers(dest="conformance_command", required=True)
    conformance_install = conformance_sub.add_parser(
        "install", help="download the official rules (or copy them from PATH) into the data dir"
    )
    conformance_install.add_argument("path", metavar="PATH", nargs="?", help="local folder or archive")
    conformance_install.add_argument("--source", action="append", default=[], metavar="NAME=URL_OR_PATH")
    conformance_install.add_argument("--sha256", action="append", default=[], metavar="NAME=HEX")
    conformance_install.add_argument("--timeout", type=float, help="seconds to wait for each server")
    conformance_sub.add_parser("verify", help="check every validation artefact is installed")
    export = sub.add_parser(
        "export", help="write every issued invoice of a company as Factur-X, CII, UBL or PEPPOL BIS 3 UBL"
    )
    export.add_argument("--format", required=True, choices=("facturx", "cii", "ubl", "peppol"))
    export.add_argument("--out", required=True, metavar="DIR")
    export.add_argument("--entity", help="entity id, SIREN or name (default: every entity)")
    transmit = sub.add_parser("transmit", help="send issued invoices (email, Chorus Pro, platform) now")
    transmit.add_argument("invoices", nargs="*", metavar="INVOICE", help="invoice numbers or ids")
    transmit.add_argument("--entity", help="entity id, SIREN or name (needed with invoice numbers)")
    transmit.add_argument("--channel", choices=("email", "chorus_pro", "pdp"), help="force a channel")
    transmit.add_argument("--pending", action="store_true", help="send every transmission still due")
    poll = sub.add_parser("poll-statuses", help="record the lifecycle statuses of sent invoices")
    poll.add_argument("--entity", help="only this entity (id, SIREN or name)")
    credentials = sub.add_parser("credentials", help="a company's own connector accounts, stored encrypted")
    credentials_sub = credentials.add_subparsers(dest="credentials_command", required=True)
    credentials_set = credentials_sub.add_parser("set", help="store a company's account (KEY=- reads stdin)")
    credentials_set.add_argument("--entity", required=True, help="entity id, SIREN or name")
    credentials_set.add_argument(
        "--connector", required=True, choices=("chorus_pro", "pdp", "stripe", "paypal")
    )
    credentials_set.add_argument("values", nargs="+", metavar="KEY=VALUE")
    jobs = sub.add_parser("jobs", help="background jobs: list runs and schedules, run a schedule now")
    jobs_sub = jobs.add_subparsers(dest="jobs_command", required=True)
    jobs_sub.add_parser("list", help="the latest job runs with their progress, and the schedules")
    jobs_run = jobs_sub.add_parser("run", help="run a schedule's job now, with a progress bar")
    jobs_run.add_argument("schedule", help="schedule name, e.g. poll-statuses")
    billing = sub.add_parser(
        "billing-run",
        help="invoice every contract due at a date (once per period), or preview it with --dry-run",
    )
    billing.add_argument("--entity", required=True, help="entity id, SIREN or name")
    billing.add_argument("--date", help="YYYY-MM-DD, in the company's time zone (default: its today)")
    billing.add_argument("--dry-run", action="store_true", help="show what would be invoiced; write nothing")
    billing.add_argument("--format", choices=("text", "json"), default="text")
    usage = sub.add_parser("import-usage", help="record usage (metered) events from a CSV file (idempotent)")
    usage.add_argument("file", metavar="FILE")
    usage.add_argument("--entity", required=True, help="entity id, SIREN or name")
    time_import = sub.add_parser(
        "import-time", help="import time entries from a CSV file (all or nothing; never imported twice)"
    )
    time_import.add_argument("file", metavar="FILE")
    time_import.add_argument("--entity", required=True, help="entity id, SIREN or name")
    billing.add_argument("--approval", action="store_true", help="hold the run for approval (in the web UI)")
    index = sub.add_parser("billing-index", help="enter or import the values of a price index (Syntec...)")
    index.add_argument("--entity", required=True, help="entity id, SIREN or name")
    index.add_argument("--code", required=True, help="the index code, e.g. Syntec")
    index.add_argument("--name", default="", help="its full name (when it is created)")
    index.add_argument("--set", nargs=2, metavar=("DATE", "VALUE"), help="one value: YYYY-MM-DD and a number")
    index.add_argument("--import", dest="csv", help="a CSV file of date,value lines")
    documents = sub.add_parser("documents", help="issued files (XML, Factur-X PDF)")
    documents_sub = documents.add_subparsers(dest="documents_command", required=True)
    sweep = documents_sub.add_parser(
        "sweep", help="queue the Factur-X PDF of every issued document that has none stored yet"
    )
    sweep.add_argument("--inline", action="store_true", help="render here instead of queueing tasks")
    collect = sub.add_parser(
        "sepa-dd-collect", help="collect open invoices by SEPA direct debit at a date (pain.008 file)"
    )
    collect.add_argument("--entity", required=True, help="entity id, SIREN or name")
    collect.add_argument("--date", required=True, help="requested collection date, YYYY-MM-DD")
    collect.add_argument("--out", metavar="FILE", help="also write the pain.008 file here")
    transfer = sub.add_parser(
        "sepa-transfer",
        help="write the SEPA credit transfer file (pain.001) of pending refunds and supplier payments",
    )
    transfer.add_argument("--entity", required=True, help="entity id, SIREN or name")
    transfer.add_argument("--date", help="execution date, YYYY-MM-DD (default: today)")
    transfer.add_argument("--out", metavar="FILE", help="also write the pain.001 file here")
    manage = sub.add_parser("manage", help="run any Django management command")
    manage.add_argument("args", nargs=argparse.REMAINDER)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from django.core.exceptions import ImproperlyConfigured

    try:
        _django_setup(_settings_module(args))
    except ImproperlyConfigured as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    match args.command:
        case "migrate":
            return _call("migrate", "--no-input")
        case "demo":
            return _demo(args)
        case "serve":
            _call("migrate", "--no-input", "-v", "0")
            return _serve(args.port, host=args.host, workers=args.workers)
        case "worker":
            return _call("run_worker")
        case "createsuperuser":
            return _call("createsuperuser")
        case "apikey" if args.apikey_command == "create":
            return _call_reporting(
                "apikey_create", "--entity", args.entity, "--scopes", args.scopes, "--name", args.name
            )
        case "apikey":
            prefix = ["--prefix", args.prefix] if args.apikey_command == "revoke" else []
            return _call_reporting("apikey_manage", args.apikey_command, "--entity", args.entity, *prefix)
        case "unlock-user":
            address = ["--address", args.address] if args.address else []
            return _call_reporting("unlock_user", *([args.username] if args.username else []), *address)
        case "audit":
            return _call_reporting(f"audit_{args.audit_command}")
        case "import-einvoice":
            return _call_reporting("import_einvoice", *args.files, "--entity", args.entity)
        case "bank-account" if args.bank_account_command == "csv-mapping":
            choice = ["--remove"] if args.remove else ["--mapping", args.mapping]
            return _call_reporting("bank_account_csv_mapping", "--entity", args.entity, "--account", args.account,
                                   *choice)  # fmt: skip
        case "bank-account":
            options = ["--entity", args.entity, "--iban", args.iban, "--name", args.name, "--bic", args.bic]
            options += ["--account-number", args.account_number]
            options += [*(["--currency", args.currency] if args.currency else [])]
            options += [*(["--csv-mapping", args.csv_mapping] if args.csv_mapping else [])]
            return _call_reporting("bank_account_add", *options)
        case "import-statement":
            options = [
                *args.files,
                "--entity",
                args.entity,
                *(["--account", args.account] if args.account else []),
            ]
            return _call_reporting(
                "import_statement", *options, *(["--no-reconcile"] if args.no_reconcile else [])
            )
        case "reconcile":
            return _call_reporting("reconcile", "--entity", args.entity)
        case "reconciliation" if args.reconciliation_command == "rules":
            names = ("fee_tolerance", "fee_account", "writeoff_tolerance", "writeoff_account", "auto_threshold",
                     "propose_threshold", "max_items_in_sum")  # fmt: skip
            changes = [item for name in names if getattr(args, name) is not None
                       for item in ("--" + name.replace("_", "-"), getattr(args, name))]  # fmt: skip
            return _call_reporting("reconciliation_rules", "--entity", args.entity, *changes)
        case "reconciliation":
            out = ["--out", args.out] if args.out else []
            return _call_reporting(
                "reconciliation_export", "--entity", args.entity, "--format", args.format,
                "--language", args.language, *out,
            )  # fmt: skip
        case "import-open-items":
            maps = [option for pair in args.map for option in ("--map", pair)]
            return _call_reporting("import_open_items", args.file, "--entity", args.entity, *maps)
        case "conformance":
            return _call_reporting("conformance", args.conformance_command, *_conformance_options(args))
        case "export":
            entity = ["--entity", args.entity] if args.entity else []
            return _call_reporting("export_einvoices", "--format", args.format, "--out", args.out, *entity)
        case "transmit":
            options = [*args.invoices, *(["--entity", args.entity] if args.entity else [])]
            options += [
                *(["--channel", args.channel] if args.channel else []),
                *(["--pending"] if args.pending else []),
            ]
            return _call_reporting("transmit", *options)
        case "poll-statuses":
            return _call_reporting("poll_statuses", *(["--entity", args.entity] if args.entity else []))
        case "credentials":
            return _call_reporting(
                "connector_credentials", "--entity", args.entity, "--connector", args.connector, *args.values
            )
        case "jobs":
            schedule = [args.schedule] if args.jobs_command == "run" else []
            return _call_reporting("jobs", args.jobs_command, *schedule)
        case "billing-run":
            options = [
                "--entity",
                args.entity,
                "--format",
                args.format,
                *(["--date", args.date] if args.date else []),
            ]
            options += ["--approval"] if args.approval else []
            return _call_reporting("billing_run", *options, *(["--dry-run"] if args.dry_run else []))
        case "import-usage":
            return _call_reporting("import_usage", args.file, "--entity", args.entity)
        case "import-time":
            return _call_reporting("import_time", args.file, "--entity", args.entity)
        case "billing-index":
            options = ["--entity", args.entity, "--code", args.code, "--name", args.name]
            options += [
                *(["--set", *args.set] if args.set else []),
                *(["--import", args.csv] if args.csv else []),
            ]
            return _call_reporting("billing_index", *options)
        case "documents":
            return _call_reporting("documents_sweep", *(["--inline"] if args.inline else []))
        case "sepa-dd-collect" | "sepa-transfer":
            options = [
                *(["--date", args.date] if args.date else []),
                *(["--out", args.out] if args.out else []),
            ]
            return _call_reporting(args.command.replace("-", "_"), "--entity", args.entity, *options)
        case "manage":
            return _call(*args.args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
