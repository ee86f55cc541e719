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

from django.db import connection, connections

from facturier.common.errors import BusinessError


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


def at_once(*actions: Callable[[], Any], timeout: float = 60) -> list[Any]:
    """Run the actions at the same instant (they wait for each other at a barrier), each on its own thread
    and connection; return, in their order, what each returned or the exception it raised (a contender
    still running after ``timeout`` seconds gives a ``TimeoutError``)."""
    barrier = threading.Barrier(len(actions))
    outcomes: list[Any] = [TimeoutError(f"still running after {timeout} s")] * len(actions)

    def run(index: int, action: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[index] = action()
        except BaseException as error:  # returned to the test, which asserts on it
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index, action)) for index, action in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return outcomes


def race(*actions: Callable[[], Any], timeout: float = 60) -> list[str]:
    """``at_once``, each outcome told as ``done`` or the code of the business refusal it met, sorted (which
    contender wins is up to the database); any other exception is raised, so a crash never passes for a
    refusal."""
    told = []
    for outcome in at_once(*actions, timeout=timeout):
        if isinstance(outcome, BusinessError):
            told.append(outcome.code)
        elif isinstance(outcome, BaseException):
            raise outcome
        else:
            told.append("done")
    return sorted(told)
