"""The seal of an issued document: a keyed MAC of its full legal content chained to the series' previous one.

`sealed_content` reads only what the database stores, normalized (Decimals at their column's scale),
so that `facturier audit verify` recomputes exactly the same bytes later from the rows alone.
"""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import models

from facturier.audit.keys import KeyRing
from facturier.domain.sealing import seal_mac
from facturier.invoicing.immutability import SEALED_DOCUMENT_FIELDS
from facturier.invoicing.models import AllowanceCharge, Document, Line, NumberingSeries

SEALED_LINE_FIELDS = (
    "position", "product_id", "description", "quantity", "unit", "unit_price", "discount_percent",
    "vat_category", "vat_rate", "accounting_category", "net_amount",
)  # fmt: skip
_SEALED_FILE_KINDS = ("cii", "ubl", "peppol", "logo")
SEALED_ALLOWANCE_FIELDS = (
    "is_charge",
    "reason",
    "amount",
    "percent",
    "base_amount",
    "vat_category",
    "vat_rate",
)


def _normalized(instance: models.Model, name: str) -> Any:
    value = getattr(instance, name)
    field = instance._meta.get_field(name.removesuffix("_id"))
    if isinstance(value, Decimal) and isinstance(field, models.DecimalField):
        return format(value.quantize(Decimal(1).scaleb(-field.decimal_places)), "f")
    if value is not None and not isinstance(value, bool | int | str | list | dict):
        return str(value)
    return value


def sealed_content(document: Document, stored_files: Iterable[Any] | None = None) -> dict[str, Any]:
    """Everything a document's seal covers. The one place that says so: issuing, `audit verify` and
    the key migration all call it, so extending the seal (e.g. with stored files' hashes) is done here.

    ``stored_files``: the document's stored-file rows when the caller has them (issuing inserted them),
    instead of reading them again."""
    lines: list[Line] = sorted(document.lines.all(), key=lambda line: line.position)
    allowances: list[AllowanceCharge] = sorted(
        document.allowances_charges.all(), key=lambda ac: (ac.is_charge, str(ac.pk))
    )
    return {
        "id": str(document.pk),
        "document": {name: _normalized(document, name) for name in SEALED_DOCUMENT_FIELDS},
        "lines": [{name: _normalized(line, name) for name in SEALED_LINE_FIELDS} for line in lines],
        "allowances_charges": [
            {name: _normalized(ac, name) for name in SEALED_ALLOWANCE_FIELDS} for ac in allowances
        ],
        "deposits": sorted(str(pk) for pk in _deposit_ids(document)),
        **_stored_files(document, stored_files),
    }


def _deposit_ids(document: Document) -> list[Any]:
    if "deposits" in getattr(document, "_prefetched_objects_cache", {}):  # issuing read them already
        return [deposit.pk for deposit in document.deposits.all()]
    return list(document.deposits.values_list("pk", flat=True))


def _stored_files(document: Document, stored_files: Iterable[Any] | None = None) -> dict[str, Any]:
    """The SHA-256 of the XML (and logo) stored at issue (documents.StoredFile, written before the seal).

    Absent for documents issued before files were stored, so their seals still verify; the Factur-X PDF,
    rendered after the seal, is checked by `audit verify` against its file and the sealed CII instead.
    """
    if stored_files is not None:  # the rows issuing has just inserted, in this transaction
        rows: Iterable[tuple[str, str]] = [
            (str(row.kind), row.sha256) for row in stored_files if row.kind in _SEALED_FILE_KINDS
        ]
    else:
        rows = document.stored_files.filter(kind__in=_SEALED_FILE_KINDS).values_list("kind", "sha256")
    hashes = dict(sorted(rows))
    return {"stored_files": hashes} if hashes else {}


def seal(
    document: Document, series: NumberingSeries, keys: KeyRing, *, stored_files: Iterable[Any] | None = None
) -> None:
    """Chain the document to its (locked) series and store the seal; the caller saves both.

    ``stored_files``: the rows of every file stored for it at issue (``sealed_content``)."""
    document.seal_position = series.chain_length + 1
    document.seal_previous_hash = series.chain_hash
    document.seal_key_id = keys.current_id
    document.seal_hash = seal_mac(
        keys.current, document.seal_previous_hash, sealed_content(document, stored_files)
    )
    series.chain_length = document.seal_position
    series.chain_hash = document.seal_hash
