"""Run a PostgreSQL race test's contenders at once, each on its own thread and database connection.

Race tests need committed data (a transactional database: ``@pytest.mark.postgres`` with
``transactional_db`` or ``django_db(transaction=True)``) and writers that truly overlap, which Django gives
only to separate threads: each thread opens its own connection, which must be closed when it ends or the
test database cannot be flushed or dropped afterwards. An exception raised on a thread would otherwise be
lost, so every one is collected for the test to assert on.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from django.db import connection


def run_concurrently(
    contenders: Mapping[str, Callable[[], Any]], *, timeout: float
) -> tuple[dict[str, Any], list[BaseException]]:
    """Start every contender on its own thread, wait for all of them, and return (results, errors).

    ``results`` maps a contender's name to what it returned (absent if it raised); ``errors`` lists what
    they raised. A contender still running after ``timeout`` seconds is reported as an error too, so a
    hung race fails instead of passing on partial results. Each thread closes its connection at the end.
    """
    results: dict[str, Any] = {}
    errors: list[BaseException] = []

    def run(name: str, contender: Callable[[], Any]) -> None:
        try:
            results[name] = contender()
        except BaseException as error:  # reported to the test, which asserts there is none
            errors.append(error)
        finally:
            connection.close()

    threads = {
        name: threading.Thread(target=run, args=(name, contender), name=f"race-{name}")
        for name, contender in contenders.items()
    }
    for thread in threads.values():
        thread.start()
    for name, thread in threads.items():
        thread.join(timeout)
        if thread.is_alive():
            errors.append(TimeoutError(f"contender {name!r} still running after {timeout} s"))
    return results, errors
