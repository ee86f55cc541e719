"""The SQL of the search pages, one request each, slowest queries first, with their plans (issue 9).

Usage:
  python bench/search_sql.py --database postgres://postgres@127.0.0.1:5432/fact_scale [--term Ateli] [--explain 2]

For the web and API invoice and customer searches (the term: the first five letters of the newest
customer's name, as `bench/scale.py` uses, unless given), prints each query's time and its start, then
`EXPLAIN (ANALYZE)` of the slowest `--explain` queries of each page. Needs a database loaded by
`bench/scale.py`; run in-process with Django's test client.
"""

from __future__ import annotations

import argparse
from urllib.parse import quote

from scale import headers_for, pages, setup_django


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", required=True)
    parser.add_argument("--term", default="")
    parser.add_argument("--explain", type=int, default=2, help="plans of the N slowest queries of each page")
    args = parser.parse_args()
    setup_django(args.database)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    targets, session, api_key = pages()
    searches = [(label, path) for label, path in targets if "search" in label]
    if args.term:
        searches = [(label, path.rsplit("=", 1)[0] + "=" + quote(args.term)) for label, path in searches]
    for label, path in searches:
        client = Client(headers=headers_for(path, session, api_key))
        client.cookies["sessionid"] = session
        client.get(path)  # warm
        with CaptureQueriesContext(connection) as queries:
            status = client.get(path).status_code
        timed = sorted(queries.captured_queries, key=lambda query: -float(query["time"]))
        total = sum(float(query["time"]) for query in timed) * 1000
        print(f"\n== {label} {path} (HTTP {status}): {len(timed)} queries, {total:.1f} ms")
        for query in timed:
            print(f"  {float(query['time']) * 1000:7.1f} ms  {query['sql'][:150]}")
        for query in timed[: args.explain]:
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + query["sql"])
                print("  --- " + query["sql"][:100])
                for (line,) in cursor.fetchall():
                    print("  " + line)


if __name__ == "__main__":
    main()
