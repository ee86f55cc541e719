"""Field-level checks every service runs before writing: Django's own field rules, plus XML safety.

One place, so customers, products and documents refuse the same inputs with the same codes.
"""

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext as _

from facturier.common.errors import ValidationFailed

# Characters XML 1.0 cannot carry: a name, address or line holding one could never be put on an e-invoice.
XML_INVALID_CHARACTER = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def refuse_control_characters(value: str, *, field: str, label: str | None = None) -> None:
    """Raise ValidationFailed naming ``field`` if ``value`` holds a character XML cannot carry."""
    if XML_INVALID_CHARACTER.search(value):
        raise ValidationFailed(
            _("%(value)s: control characters are not allowed.") % {"value": label or field},
            field=field,
            code="invalid_character",
        )


def full_clean_or_raise(
    instance: models.Model, *, exclude: list[str] | None = None, prefix: str = ""
) -> None:
    """Run Django's field validation (lengths, choices, emails) and report the first problem by field.

    Text fields are also refused when they hold control characters (they break e-invoice XML).
    ``prefix`` names where the instance sits in the request (``lines[2].``).
    """
    for model_field in instance._meta.concrete_fields:
        value = getattr(instance, model_field.attname, None)
        if isinstance(value, str):
            refuse_control_characters(
                value, field=prefix + model_field.name, label=str(getattr(model_field, "verbose_name", ""))
            )
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except DjangoValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        codes = [e.code for e in error.error_dict.get(field, [])] if hasattr(error, "error_dict") else []
        raise ValidationFailed(
            " ".join(messages),
            field=None if field == "__all__" else prefix + field,
            code=codes[0] if codes else "invalid",
        ) from error
