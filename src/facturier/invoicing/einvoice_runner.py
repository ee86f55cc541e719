"""Run e-invoice validation on one long-lived thread per process.

Saxon keeps one engine per thread and compiles each stylesheet once per engine (0.1-0.8 s each).
Servers that start a thread per request (Django's runserver, threaded WSGI servers) would pay that
compile on every issue; routing every validation through one thread compiles once per process.
Validation only reads XML bytes and rule files, never the database, so running it on another thread
inside the caller's transaction is safe. The thread belongs to the process that created it: after a
``fork()`` the child starts its own (Saxon must not be used across a fork).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from facturier.domain.validation import ArtefactStore, ValidationReport, validate_xml
from facturier.domain.validation.pipeline import Syntax

__all__ = ["run_validation"]

_executor: ThreadPoolExecutor | None = None
_executor_pid: int | None = None
_lock = threading.Lock()


def _validation_thread() -> ThreadPoolExecutor:
    global _executor, _executor_pid
    with _lock:
        if _executor is None or _executor_pid != os.getpid():
            # an executor inherited through fork() has no live thread in this process: never reuse it
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="einvoice-validation")
            _executor_pid = os.getpid()
        return _executor


def run_validation(
    xml: bytes, *, syntax: Syntax, profile: str | None, rules: Sequence[str], store: ArtefactStore
) -> ValidationReport:
    """``validate_xml`` on the process's validation thread (exceptions propagate to the caller)."""
    future = _validation_thread().submit(
        validate_xml, xml, syntax=syntax, profile=profile, rules=tuple(rules), store=store
    )
    return future.result()
