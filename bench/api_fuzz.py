"""Schemathesis over the whole API, every check, against a live server (`make api-fuzz`).

Makes a throw-away data directory with a SQLite database, migrates it, seeds one company with a
customer, a product and an API key holding every scope, serves it on a free local port, and runs
`schemathesis run --checks all` on /api/v1/openapi.json. Prints the run's figures; exits non-zero
when Schemathesis found a failure. See docs/api-fuzzing.md for what the checks mean and the last figures.

    .venv/bin/python bench/api_fuzz.py [--max-examples 50] [--seed 1] [--url http://host:port --key fk_...]
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BIN = Path(sys.executable).parent
SEED = """
import secrets
from django.contrib.auth import get_user_model
from facturier.accounts.models import ApiKey
from facturier.accounts.services import entity_create
from facturier.catalog.models import Product
from facturier.parties.models import Customer

owner = get_user_model().objects.create_user("fuzz-owner", password=secrets.token_urlsafe())
entity = entity_create(
    by=None, admin_user=owner, name="Atelier Dupont SAS", legal_form="SAS", share_capital="10000.00",
    siren="552100554", siret="55210055400013", vat_number="FR" + f"{(12 + 3 * (552100554 % 97)) % 97:02d}552100554",
    rcs="RCS Paris 552100554", address_line1="12 rue de la Paix", postcode="75002", city="Paris",
    iban="FR7630006000011234567890189", bic="AGRIFRPP", email="factures@dupont.example",
)
Customer.objects.create(entity=entity, code="C001", name="Boulangerie Martin", siren="443061841",
                        address_line1="3 place du Marché", postcode="69002", city="Lyon")
Product.objects.create(entity=entity, sku="CONSEIL-J", name="Conseil", unit_price="800", unit="DAY")
prefix = secrets.token_hex(4)
secret = f"fk_{prefix}_{secrets.token_urlsafe(16)}"
ApiKey.objects.create(entity=entity, name="fuzz", prefix=prefix, digest=ApiKey.digest_of(secret), scopes=["*"])
print(secret)
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310 - our own local server
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def seeded_server(data_dir: str) -> tuple[subprocess.Popen[bytes], str, str]:
    """Migrate and seed a fresh database, start the development server on it: (process, base URL, key)."""
    env = os.environ | {
        "FACTURIER_DATA_DIR": data_dir,
        "DATABASE_URL": f"sqlite:///{data_dir}/fuzz.sqlite3",
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        # hundreds of invalid keys from one address: the API throttle would answer 429 by design
        "FACTURIER_API_FAILURES_PER_ADDRESS": "0",
    }
    facturier = str(BIN / "facturier")
    subprocess.run([facturier, "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)
    key = (
        subprocess.run(
            [facturier, "manage", "shell", "-c", SEED], env=env, check=True, capture_output=True, text=True
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    port = free_port()
    log = open(Path(data_dir) / "server.log", "wb")  # noqa: SIM115 - lives as long as the server
    server = subprocess.Popen(
        [facturier, "manage", "runserver", f"127.0.0.1:{port}", "--noreload"], env=env, stdout=log, stderr=log
    )
    return server, f"http://127.0.0.1:{port}", key


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--max-examples", type=int, default=50, help="test cases per operation and phase")
    parser.add_argument("--seed", type=int, default=1, help="Hypothesis seed, for a reproducible run")
    parser.add_argument("--url", help="an already running server (then --key is required)")
    parser.add_argument("--key", help="an API key with every scope ('*') of a company on that server")
    parser.add_argument("--report-dir", default=None, help="where to write the JUnit and NDJSON reports")
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="facturier-fuzz-")
    server = None
    if args.url:
        base, key = args.url.rstrip("/"), args.key
    else:
        print(f"Seeding a company in {data_dir} ...", flush=True)
        server, base, key = seeded_server(data_dir)
    try:
        wait_for(f"{base}/api/v1/openapi.json")
        command = [
            str(BIN / "schemathesis"), "run", f"{base}/api/v1/openapi.json",
            "--checks", "all", "--header", f"Authorization: Bearer {key}",
            "--max-examples", str(args.max_examples), "--seed", str(args.seed),
            "--report", "junit,ndjson", "--report-dir", args.report_dir or data_dir,
        ]  # fmt: skip
        started = time.monotonic()
        code = subprocess.call(command)
        print(
            f"Schemathesis ran for {time.monotonic() - started:.0f} s; reports in {args.report_dir or data_dir}"
        )
        return code
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
