"""Fetching one row by id for a caller who may only see some rows (their company's).

A malformed id, a missing row and another company's row all give the same NotFound, so an
outsider learns nothing about what exists; the caller names the field and the stable code.
"""

import uuid
from typing import TypeVar

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models

from facturier.common.errors import NotFound

RowT = TypeVar("RowT", bound=models.Model)


def get_visible(
    rows: "models.QuerySet[RowT]", pk: uuid.UUID | str, *, message: str, code: str, field: str | None = None
) -> RowT:
    """The row ``pk`` among ``rows`` (already scoped to what the caller may see), else NotFound."""
    try:
        return rows.get(pk=pk)
    except (ObjectDoesNotExist, ValidationError, ValueError) as error:
        raise NotFound(message, field=field, code=code) from error
