"""The whole import of a 10,000-line camt.053 through `banking.services.statement_import` (goal: 3 s), on
SQLite (default, a fresh file) or the PostgreSQL of `--database`.

What is timed is the service as the CLI, the upload page and the API call it: size check, SHA-256, the
lookup of an earlier identical file, detection and parsing, the account found by IBAN, natural keys, the
lookup of lines already stored, the insert of the new ones, direct-debit returns, the audit record; one
transaction. Reconciliation after the import is `bench/reconciliation.py`'s business. Each run imports the
same statement into an emptied account (lines and imports deleted in between), then one more import of the
same bytes shows the idempotent path. Prints wall and CPU (this process; the PostgreSQL server's CPU is not
in it) and the load average; `--profile` writes the cProfile top 25 by cumulative and own time.

    .venv/bin/python bench/statement_import_db.py [--database postgres://postgres@127.0.0.1:5432/DB]
                                                  [--lines 10000] [--repeat 3] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IBAN = "FR7630006000011234567890189"


def setup_django(database: str, data_dir: str) -> None:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "src"))
    os.environ["DATABASE_URL"] = database
    os.environ["FACTURIER_DATA_DIR"] = data_dir
    os.environ.setdefault("FACTURIER_STORAGE_URL", f"file://{data_dir}/issued")
    os.environ.setdefault("FACTURIER_SEAL_KEYS", "bench:bench-only-seal-secret-0123456789abcdef0123")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    import django

    django.setup()


def prepare() -> object:
    from django.core.management import call_command

    from facturier.accounts.models import LegalEntity
    from facturier.accounts.services import entity_create
    from facturier.banking.models import BankAccount
    from facturier.banking.services import bank_account_add

    call_command("migrate", verbosity=0)
    entity = LegalEntity.objects.filter(siren="552100554").first()
    if entity is None:
        entity = entity_create(
            by=None, name="Atelier Dupont SAS", legal_form="SAS", share_capital=Decimal("10000.00"),
            siren="552100554", siret="55210055400013", vat_number="FR96552100554", rcs="RCS Paris 552100554",
            address_line1="12 rue de la Paix", postcode="75002", city="Paris", iban=IBAN, bic="AGRIFRPP",
            email="compta@dupont.example", electronic_address_scheme="0225", electronic_address="552100554",
        )  # fmt: skip
    if not BankAccount.objects.filter(entity=entity).exists():
        bank_account_add(entity=entity, by=None, iban=IBAN, name="Compte courant")
    return entity


def empty(entity: object) -> None:
    from facturier.banking.models import BankLine, StatementImport

    BankLine.objects.filter(entity=entity)._raw_delete(BankLine.objects.db)  # type: ignore[attr-defined]
    StatementImport.objects.filter(entity=entity)._raw_delete(StatementImport.objects.db)  # type: ignore[attr-defined]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default="")
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="bench-import-")
    database = args.database or f"sqlite:///{data_dir}/bench.sqlite3"
    setup_django(database, data_dir)
    sys.path.insert(0, str(ROOT / "bench"))
    from django.db import connection
    from statement_import import generate  # the parser bench's statement

    from facturier.banking.models import BankLine
    from facturier.banking.services import statement_import

    entity = prepare()
    data, _total = generate(args.lines)
    print(f"{connection.vendor}: camt.053 of {args.lines} entries, {len(data) / 1e6:.1f} MB")

    def run() -> object:
        return statement_import(entity=entity, by=None, filename="bench.xml", content=data)

    walls, cpus = [], []
    for _ in range(args.repeat):
        empty(entity)
        started, started_cpu = time.perf_counter(), time.process_time()
        result = run()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - started_cpu)
        assert result.new_lines == BankLine.objects.filter(entity=entity).count() == args.lines
    started = time.perf_counter()
    again = run()
    idempotent = time.perf_counter() - started
    assert again.already_imported
    print(f"import: best {min(walls):.2f} s, worst {max(walls):.2f} s wall over {args.repeat} runs; "
          f"CPU best {min(cpus):.2f} s, worst {max(cpus):.2f} s ({args.lines / min(walls):,.0f} lines/s)")  # fmt: skip
    print(f"the same file again (already imported): {idempotent * 1000:.0f} ms")
    print(f"machine load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    if args.profile:
        empty(entity)
        profiler = cProfile.Profile()
        profiler.runcall(run)
        for order in ("cumulative", "tottime"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(25)
            print(out.getvalue())
    met = min(walls) <= 3
    print("goal: the import within 3 s (wall, best run):", "OK" if met else "NOT MET")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
