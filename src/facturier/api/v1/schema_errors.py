"""Pydantic's validation errors in the request's language.

Pydantic writes its messages in English only; the API answers in the language of the request
(``Accept-Language``), so each error ``type`` the API schemas can raise has its wording here, with
pydantic's ``ctx`` values (limits, expected choices) filled in. An unlisted type gets a generic
wording rather than English in a French answer.
"""

from typing import Any

from django.utils.translation import gettext as _


def _wordings() -> dict[str, str]:
    return {
        "missing": _("This field is required."),
        "extra_forbidden": _("Unknown field."),
        "string_type": _("Send a text value."),
        "string_too_short": _("At least %(min_length)s character(s)."),
        "string_too_long": _("At most %(max_length)s characters."),
        "string_pattern_mismatch": _("This value does not have the expected format."),
        "uuid_parsing": _("Send an id (a UUID)."),
        "uuid_type": _("Send an id (a UUID)."),
        "decimal_parsing": _('Send a decimal number as a string, e.g. "12.50".'),
        "decimal_type": _('Send a decimal number as a string, e.g. "12.50".'),
        "decimal_max_digits": _("At most %(max_digits)s digits in total."),
        "decimal_max_places": _("At most %(decimal_places)s decimals."),
        "decimal_whole_digits": _("At most %(whole_digits)s digits before the decimal point."),
        "decimal_as_string": _('Send amounts as decimal strings, e.g. "12.50", not as JSON numbers.'),
        "greater_than": _("Must be greater than %(gt)s."),
        "greater_than_equal": _("Must be %(ge)s or more."),
        "less_than": _("Must be less than %(lt)s."),
        "less_than_equal": _("Must be %(le)s or less."),
        "int_parsing": _("Send a whole number."),
        "int_type": _("Send a whole number."),
        "int_from_float": _("Send a whole number."),
        "bool_parsing": _("Send true or false."),
        "bool_type": _("Send true or false."),
        "date_parsing": _("Send a date as YYYY-MM-DD."),
        "date_from_datetime_parsing": _("Send a date as YYYY-MM-DD."),
        "date_type": _("Send a date as YYYY-MM-DD."),
        "datetime_parsing": _("Send a date and time in ISO 8601."),
        "datetime_type": _("Send a date and time in ISO 8601."),
        "literal_error": _("Expected one of: %(expected)s."),
        "enum": _("Expected one of: %(expected)s."),
        "list_type": _("Send a list."),
        "dict_type": _("Send an object."),
        "model_type": _("Send an object."),
        "model_attributes_type": _("Send an object."),
        "json_invalid": _("The request body is not valid JSON."),
        "invalid_unit": _("Unknown unit code (UN/ECE Rec 20), e.g. C62, HUR, DAY."),
        "invalid_character": _("Control character U+%(code)s is not allowed in text."),
        "invalid_currency": _("Unknown currency code (ISO 4217), e.g. EUR."),
        "string_blank": _("This field cannot be blank."),
        "decimal_format": _(
            'Send a decimal number as a string, e.g. "12.50", with at most %(whole)s digits before '
            "the decimal point and %(places)s after it."
        ),
        "decimal_not_positive": _(
            'Send a decimal number greater than 0 as a string, e.g. "1.25", with at most %(whole)s '
            "digits before the decimal point and %(places)s after it."
        ),
        "percent_format": _(
            'Send a percentage from 0 to 100 as a string, e.g. "20.00", with at most %(places)s decimals.'
        ),
    }


def wording(error: dict[str, Any]) -> str:
    """The message of one pydantic error (``{"type", "loc", "msg", "ctx"}``) in the active language."""
    template = _wordings().get(str(error.get("type", "")))
    if template is None:
        return _("Invalid value.")
    context = dict(error.get("ctx") or {})
    if "expected" in context:  # pydantic joins choices with an English " or "
        context["expected"] = str(context["expected"]).replace(" or ", ", ")
    try:
        return template % context if "%(" in template else template
    except (KeyError, TypeError, ValueError):
        return _("Invalid value.")
