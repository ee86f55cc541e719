"""Whether a document's values set before issuing are already what their columns would return.

Issuing sets the totals, snapshots and dates of a document and builds its e-invoice from them before
the document is written (``services.issuing``): that is only right if the database would hand back the
very same values. It used to save the row and read it back to be sure; this says when that read-back
would change nothing, so that it can be skipped.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models

from facturier.invoicing.models import Document

# set before the lock (totals, snapshots, dates): written with the number by the same UPDATE, unless
# one of them is not already what its column would return (then saved and read back first)
PREPARED_FIELDS = [
    "issue_date", "due_date", "seller_snapshot", "customer_snapshot", "vat_on_debits", "line_total",
    "allowance_total", "charge_total", "tax_exclusive", "tax_total", "tax_inclusive", "payable",
    "tax_total_accounting", "vat_breakdown", "operation_category",
]  # fmt: skip


def as_stored(invoice: Document) -> bool:
    """Whether every column set before the lock (``PREPARED_FIELDS``) already holds exactly what the
    database returns for it, so that reading the row back would change nothing the XML or the seal
    reads: decimals at their column's scale, plain dates, JSON made of JSON's own types (strings,
    numbers, booleans, lists, objects), booleans, strings. Anything else is saved and read back."""
    for name in PREPARED_FIELDS:
        column = Document._meta.get_field(name)
        value = getattr(invoice, name)  # none of them is a relation: the name is the attribute
        if value is None:
            if not column.null:
                return False
        elif isinstance(column, models.DecimalField):
            if type(value) is not Decimal or not value.is_finite():
                return False
            if value.as_tuple().exponent != -column.decimal_places:
                return False
            if len(value.as_tuple().digits) > column.max_digits:
                return False
        elif isinstance(column, models.DateTimeField):
            return False  # none is set before the lock; time zones would need care
        elif isinstance(column, models.DateField):
            if type(value) is not dt.date:
                return False
        elif isinstance(column, models.BooleanField):
            if type(value) is not bool:
                return False
        elif isinstance(column, models.JSONField):
            if not _json_native(value):
                return False
        elif isinstance(column, models.CharField):
            if type(value) is not str or "\x00" in value:
                return False
        else:
            return False
    return True


def _json_native(value: Any) -> bool:
    """A value a JSON column returns equal and of the same types: no tuples, Decimals, dates, floats."""
    if value is None or type(value) in (str, bool, int):
        return True
    if type(value) is list:
        return all(_json_native(item) for item in value)
    if type(value) is dict:
        return all(type(key) is str and _json_native(item) for key, item in value.items())
    return False
