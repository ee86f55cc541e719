"""The billing crash test at full size: 5,000 contracts on PostgreSQL, two workers, kill -9 at 10 random
moments (tests/billing/test_crash.py runs the same with 150 contracts and 3 kills).

Usage: python bench/billing_crash.py --database postgres://postgres@127.0.0.1:5432/fact_bench_crash \
    [--contracts 5000] [--periods 1] [--kills 10] [--seed 11]
Exits 1 unless every contract and period has exactly one invoice and the numbering has no gap.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.billing import harness  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", required=True)
    parser.add_argument("--contracts", type=int, default=5000)
    parser.add_argument("--periods", type=int, default=1)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    parsed = urlparse(args.database)
    url = harness.scratch_database(parsed._replace(path="").geturl(), parsed.path.lstrip("/"))
    result = harness.crash_run(url, Path(tempfile.mkdtemp(prefix="billing-crash-")), contracts=args.contracts,
                               periods=args.periods, kills=args.kills, seed_value=args.seed, timeout=6 * 3600)  # fmt: skip
    print(result)
    ok = (result["status"] == "done" and result["invoices"] == result["expected"] and not result["twice"]
          and not result["orphans"] and not result["gaps"] and not result["duplicate_numbers"])  # fmt: skip
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
