"""Validation in a fresh "spawn" worker process, for callers that live in a forked process.

Saxon aborts when used in a process forked from one that had started it (gunicorn with
``--preload``, pytest-xdist, multiprocessing "fork" pools). A spawned process starts from a clean
interpreter, so Saxon is safe there. The worker is kept between calls (one per calling process):
stylesheets compile once in it, and each later call costs a pickle round trip plus the
validation itself. A worker created before a fork is never reused by the child.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

from facturier.domain.validation.artefacts import ArtefactStore
from facturier.domain.validation.findings import ValidationReport
from facturier.domain.validation.pipeline import DEFAULT_RULES, Syntax, validate_cdar, validate_xml

__all__ = ["shutdown_subprocess_worker", "validate_cdar_in_subprocess", "validate_in_subprocess"]

_pool: ProcessPoolExecutor | None = None
_pool_pid: int | None = None
_pool_lock = threading.Lock()


def _worker_pool() -> ProcessPoolExecutor:
    global _pool, _pool_pid
    with _pool_lock:
        if _pool is None or _pool_pid != os.getpid():
            # A pool inherited through fork() belongs to the parent: leave it alone.
            _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
            _pool_pid = os.getpid()
        return _pool


def shutdown_subprocess_worker() -> None:
    """Stop the spawned worker of this process (it is restarted on the next call)."""
    global _pool, _pool_pid
    with _pool_lock:
        if _pool is not None and _pool_pid == os.getpid():
            _pool.shutdown(wait=True, cancel_futures=True)
        _pool, _pool_pid = None, None


def _validate_xml_job(
    xml: bytes, store: ArtefactStore, syntax: Syntax | None, profile: str | None, rules: tuple[str, ...]
) -> ValidationReport:
    return validate_xml(xml, syntax=syntax, profile=profile, rules=rules, store=store)


def validate_in_subprocess(
    xml: bytes,
    *,
    syntax: Syntax | None = None,
    profile: str | None = None,
    rules: Sequence[str] = DEFAULT_RULES,
    store: ArtefactStore,
    timeout: float | None = 120.0,
) -> ValidationReport:
    """Same contract as :func:`validate_xml`, run in a spawned worker (exceptions propagate)."""
    future = _worker_pool().submit(_validate_xml_job, xml, store, syntax, profile, tuple(rules))
    return future.result(timeout=timeout)


def validate_cdar_in_subprocess(
    xml: bytes, store: ArtefactStore, *, timeout: float | None = 120.0
) -> ValidationReport:
    """Same contract as :func:`validate_cdar`, run in a spawned worker."""
    return _worker_pool().submit(validate_cdar, xml, store).result(timeout=timeout)
