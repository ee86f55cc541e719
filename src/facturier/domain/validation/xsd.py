"""XSD (syntax) validation with lxml: the first gate of every pipeline.

Compiled schemas are cached per file for the life of the process. lxml keeps the last error log
on the schema object, so one lock per schema makes "validate, then read the log" atomic; XSD
validation takes about a millisecond, so the lock costs nothing measurable.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from facturier.domain.validation.findings import Finding
from facturier.domain.validation.secure_xml import MalformedXmlError, UnsafeXmlError, parse_secure

__all__ = ["clear_schema_cache", "validate_xsd", "validate_xsd_bytes"]


@dataclass
class _CompiledSchema:
    schema: etree.XMLSchema
    lock: threading.Lock = field(default_factory=threading.Lock)


_SCHEMAS: dict[Path, _CompiledSchema] = {}
_SCHEMAS_LOCK = threading.Lock()


def _compiled(xsd_path: Path) -> _CompiledSchema:
    found = _SCHEMAS.get(xsd_path)  # a dict read is atomic; no resolve() once the path is known
    if found is not None:
        return found
    key = Path(xsd_path).resolve()
    with _SCHEMAS_LOCK:
        cached = _SCHEMAS.get(key)
        if cached is None:
            # The XSD files are trusted but are still read without network access: every
            # xs:import of the official schemas points to a sibling file.
            parser = etree.XMLParser(resolve_entities=False, no_network=True)
            cached = _CompiledSchema(etree.XMLSchema(etree.parse(str(key), parser)))
            _SCHEMAS[key] = cached
        _SCHEMAS[Path(xsd_path)] = cached
        return cached


def clear_schema_cache() -> None:
    with _SCHEMAS_LOCK:
        _SCHEMAS.clear()


def validate_xsd(tree: etree._ElementTree, xsd_path: Path, *, source: str = "xsd") -> tuple[Finding, ...]:
    """Validate an already securely parsed document; one fatal finding per schema error."""
    compiled = _compiled(xsd_path)
    with compiled.lock:
        if compiled.schema.validate(tree):
            return ()
        entries = list(compiled.schema.error_log)
    return tuple(
        Finding(
            rule_id=f"XSD-{entry.type_name}",
            severity="fatal",
            location=entry.path or "/",
            message=" ".join(entry.message.split()),
            source=source,
            line=entry.line or None,
        )
        for entry in entries
    )


def validate_xsd_bytes(xml: bytes, xsd_path: Path, *, source: str = "xsd") -> tuple[Finding, ...]:
    """Parse (securely) and validate; unreadable or unsafe input is itself a fatal finding."""
    try:
        tree = parse_secure(xml)
    except UnsafeXmlError as exc:
        return (Finding("XML-DOCTYPE", "fatal", "/", str(exc), source),)
    except MalformedXmlError as exc:
        return (Finding("XML-WELL-FORMED", "fatal", "/", str(exc), source, line=exc.line),)
    return validate_xsd(tree, xsd_path, source=source)
