"""Run the official compiled schematron (XSLT 2/3 -> SVRL) with saxonche.

Saxon (a GraalVM native image) has three rules we measured or that DESIGN.md records:

* a ``PySaxonProcessor`` must be created in the process and the thread that uses it, and it
  aborts if used after ``fork()``. So there is one engine per thread, created lazily, and an
  engine that finds itself in another process (the thread-local survived a fork) is abandoned
  and a fresh one is built;
* a processor freed *in the thread that created it* crashes the whole process when that thread
  exits ("StackOverflowError ... detachCurrentThread"), while freeing it from another thread is
  fine. So every engine is also held by a module registry, and engines of dead threads are
  released later by whichever thread next builds an engine;
* compiling the big stylesheets takes 0.1-0.7 s each, running one takes a few ms. So each engine
  compiles a stylesheet once and keeps the executable; compile times are recorded.

What is compiled is the one-pass form of the official stylesheet (:mod:`.single_pass`, 2-15x less
CPU per run, same findings), or the file itself when that rewrite does not apply. Set
``SINGLE_PASS = False`` to run the files as published (the benchmark's ``--original``). The
schematrons of one validation can run as one merged transformation (:func:`run_schematrons`,
``MERGE = True``; off: measured slower than separate runs).

Callers inside forked workers whose parent already used Saxon (gunicorn ``--preload``,
pytest-xdist) should use :func:`facturier.domain.validation.isolation.validate_in_subprocess`.
"""

from __future__ import annotations

import os
import threading
import time
from bisect import bisect_left
from collections.abc import Sequence
from itertools import accumulate
from pathlib import Path
from typing import Any

from lxml import etree
from saxonche import PySaxonApiError, PySaxonProcessor

from facturier.domain.validation import single_pass as _single_pass_module
from facturier.domain.validation.findings import Finding, findings_from_svrl
from facturier.domain.validation.merged import merged_single_pass
from facturier.domain.validation.single_pass import TAG, single_pass

SINGLE_PASS = True
# Consecutive schematrons of one validation run as one transformation (:func:`run_schematrons`):
# off, it measured slower than three runs (docs/issuing-parallel.md, "Validation, fourth pass").
MERGE = False

__all__ = [
    "SINGLE_PASS",
    "SchematronCompileError",
    "XsltInput",
    "compile_timings",
    "run_schematron",
    "run_schematrons",
    "warm_up",
]


class SchematronCompileError(RuntimeError):
    """A rule file exists but Saxon cannot compile it (corrupt or wrong artefact)."""


class _SaxonEngine:
    """A processor, its XSLT 3.0 compiler and the executables compiled in one thread."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.thread = threading.current_thread()
        self.processor = PySaxonProcessor(license=False)
        self.compiler = self.processor.new_xslt30_processor()
        self.executables: dict[tuple[Path, bool, tuple[bool, ...]], Any] = {}
        self.compile_seconds: dict[Path, float] = {}
        self.merged: dict[tuple[tuple[Path, ...], tuple[bool, ...]], tuple[Any, tuple[int, ...]] | None] = {}

    def executable(self, xslt_path: Path) -> Any:
        given = (xslt_path, SINGLE_PASS, _single_pass_module.variant())
        found = self.executables.get(given)  # no resolve() per run: paths come resolved from the store
        if found is not None:
            return found
        key = xslt_path.resolve()
        variant = (key, SINGLE_PASS, _single_pass_module.variant())
        found = self.executables.get(variant)
        if found is None:
            started = time.perf_counter()
            found = self._compile_single_pass(key) if SINGLE_PASS else None
            if found is None:
                try:
                    found = self.compiler.compile_stylesheet(stylesheet_file=str(key))
                except PySaxonApiError as exc:
                    raise SchematronCompileError(f"Cannot compile {key}: {exc}") from exc
            if found is None:
                raise SchematronCompileError(f"Cannot compile {key}: {self.compiler.error_message}")
            self.compile_seconds[key] = time.perf_counter() - started
            self.executables[variant] = found
        self.executables[given] = found
        return found

    def _compile_single_pass(self, xslt_path: Path) -> Any:
        """The one-pass executable with its documents bound, or None (then the file is compiled)."""
        try:
            rewritten = single_pass(xslt_path)
            if rewritten is None:
                return None
            found = self.compiler.compile_stylesheet(stylesheet_text=rewritten.text)
            for parameter, document in rewritten.documents:
                found.set_parameter(parameter, self.processor.parse_xml(xml_file_name=str(document)))
        except (PySaxonApiError, OSError, ValueError, etree.LxmlError):
            return None  # the published file still runs (and reports its own compile errors)
        return found

    def merged_executable(self, xslt_paths: tuple[Path, ...]) -> tuple[Any, tuple[int, ...]] | None:
        """The merged one-pass executable of ``xslt_paths`` and its pattern counts, or None."""
        given = (xslt_paths, _single_pass_module.variant())
        if given in self.merged:
            return self.merged[given]
        started = time.perf_counter()
        found: tuple[Any, tuple[int, ...]] | None = None
        try:
            rewritten = merged_single_pass(tuple(path.resolve() for path in xslt_paths))
            if rewritten is not None:
                executable = self.compiler.compile_stylesheet(stylesheet_text=rewritten.text)
                if executable is not None:
                    for parameter, document in rewritten.documents:
                        executable.set_parameter(
                            parameter, self.processor.parse_xml(xml_file_name=str(document))
                        )
                    found = (executable, rewritten.patterns)
        except (PySaxonApiError, OSError, ValueError, etree.LxmlError):
            found = None  # each stylesheet then runs on its own
        if found is not None:
            self.compile_seconds[Path(" + ".join(str(path) for path in xslt_paths))] = (
                time.perf_counter() - started
            )
        self.merged[given] = found
        return found


_local = threading.local()
_registry: list[_SaxonEngine] = []
_registry_lock = threading.Lock()
# Engines inherited through fork(): never used again, never freed (freeing could abort).
_abandoned: list[_SaxonEngine] = []


def _engine() -> _SaxonEngine:
    engine: _SaxonEngine | None = getattr(_local, "engine", None)
    if engine is not None and engine.pid == os.getpid():
        return engine
    with _registry_lock:
        pid = os.getpid()
        inherited = [e for e in _registry if e.pid != pid]
        if inherited:
            _abandoned.extend(inherited)
        # Drop engines of threads that have exited: released here, in another thread.
        _registry[:] = [e for e in _registry if e.pid == pid and e.thread.is_alive()]
        engine = _SaxonEngine()
        _registry.append(engine)
    _local.engine = engine
    return engine


def warm_up(xslt_paths: list[Path]) -> dict[str, float]:
    """Compile ``xslt_paths`` now in this thread; returns the seconds each compile took."""
    engine = _engine()
    for path in xslt_paths:
        engine.executable(path)
    return compile_timings()


def compile_timings() -> dict[str, float]:
    """Seconds spent compiling each stylesheet in the calling thread (path -> seconds)."""
    engine: _SaxonEngine | None = getattr(_local, "engine", None)
    if engine is None or engine.pid != os.getpid():
        return {}
    return {str(path): seconds for path, seconds in engine.compile_seconds.items()}


class XsltInput:
    """A document to run several stylesheets on: Saxon parses it once per thread (~2 ms saved per run)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._node: Any = None
        self._engine: _SaxonEngine | None = None

    def node_for(self, engine: _SaxonEngine) -> Any:
        if self._engine is not engine:
            self._node = engine.processor.parse_xml(xml_text=self.text)
            self._engine = engine
        return self._node


def run_schematron(document: str | XsltInput, xslt_path: Path, *, source: str) -> tuple[Finding, ...]:
    """Apply a compiled schematron to ``document`` (text from ``serialize_for_xslt``).

    A dynamic error while evaluating the rules (say ``xs:decimal('abc')`` on a malformed amount)
    means the rules could not be checked: it becomes a fatal finding, never a silent pass.
    """
    engine = _engine()
    executable = engine.executable(xslt_path)
    try:
        prepared = document if isinstance(document, XsltInput) else XsltInput(document)
        node = prepared.node_for(engine)
        svrl = executable.transform_to_string(xdm_node=node)
    except PySaxonApiError as exc:
        return (
            Finding(
                rule_id="SCHEMATRON-RUNTIME",
                severity="fatal",
                location="/",
                message=f"The rules of {xslt_path.name} could not be evaluated: {' '.join(str(exc).split())}",
                source=source,
            ),
        )
    if not svrl:
        return (
            Finding(
                rule_id="SCHEMATRON-RUNTIME",
                severity="fatal",
                location="/",
                message=f"{xslt_path.name} produced no SVRL report",
                source=source,
            ),
        )
    return findings_from_svrl(svrl.encode("utf-8"), source)


def run_schematrons(document: str | XsltInput, steps: Sequence[tuple[Path, str]]) -> tuple[Finding, ...]:
    """Apply several compiled schematrons (path, source) to ``document``, in order.

    When they merge (:func:`~.merged.merged_single_pass`) they run as one transformation:
    one walk of the document and one SVRL report instead of one each; each finding gets the
    source of the stylesheet its pattern came from, and the findings come in the order of the
    separate runs. A dynamic error, or anything unexpected in the report, runs them one by one
    instead, so the result is always that of the separate runs.
    """
    if len(steps) > 1 and MERGE and SINGLE_PASS:
        engine = _engine()
        merged = engine.merged_executable(tuple(path for path, _ in steps))
        if merged is not None:
            executable, patterns = merged
            prepared = document if isinstance(document, XsltInput) else XsltInput(document)
            try:
                svrl = executable.transform_to_string(xdm_node=prepared.node_for(engine))
            except PySaxonApiError:
                svrl = None
            if svrl:
                bounds = list(accumulate(patterns))
                sources = [source for _, source in steps]

                def source_of(element: etree._Element) -> str:
                    return sources[bisect_left(bounds, int(element.get(TAG, "")))]

                try:
                    return findings_from_svrl(svrl.encode("utf-8"), sources[0], source_of=source_of)
                except (ValueError, IndexError):
                    pass  # an assertion without its pattern tag: run them one by one
            document = prepared
    found: list[Finding] = []
    for path, source in steps:
        found += run_schematron(document, path, source=source)
    return tuple(found)
