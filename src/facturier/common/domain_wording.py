"""The user's wording of errors raised by the pure domain (which cannot import Django's gettext).

The domain raises English ``ValueError``s whose text is for developers and logs; services turn them
into ``ValidationFailed`` with one of these messages, in the language active for the request.
"""

from django.utils.translation import gettext as _

from facturier.domain.identifiers import InvalidIdentifier
from facturier.domain.payment_terms import PRESETS


def amount(field: str, *, places: int, integer_digits: int) -> str:
    """An amount that is not a number, or has too many decimals or integer digits."""
    return _("%(field)s: a number with at most %(places)s decimals and %(digits)s digits before the point.") % {
        "field": field, "places": places, "digits": integer_digits,
    }  # fmt: skip


def payment_terms(code: str) -> str:
    return _("Unknown payment terms '%(code)s': use one of %(presets)s or netN, Neom, eomN.") % {
        "code": code, "presets": ", ".join(PRESETS),
    }  # fmt: skip


def currency(code: str) -> str:
    return _("'%(code)s' is not an ISO 4217 currency code accepted in e-invoices (e.g. EUR).") % {
        "code": code
    }


def identifier(error: InvalidIdentifier) -> str:
    """An identifier (SIREN, SIRET, VAT number, IBAN, BIC) that fails its format or check digits."""
    kinds = {"VAT number": _("VAT number")}
    reasons = {
        "checksum does not match": _("its check digits do not match"),
        "wrong length": _("it has the wrong length"),
        "wrong format": _("it has the wrong format"),
    }
    return _("Invalid %(kind)s '%(value)s': %(reason)s.") % {
        "kind": kinds.get(error.kind, error.kind), "value": error.value,
        "reason": reasons.get(error.reason, _("it is not a valid number")),
    }  # fmt: skip


def calculation() -> str:
    """The totals cannot be computed (the services check categories and rates first, so this is rare)."""
    return _("The VAT categories, rates or discounts of the lines cannot form a valid invoice.")


def vat_rate(category: str, rate: object, french_rates: str) -> str:
    """A rate that cannot go with its VAT category on a French invoice (BR-FR-16, BR-x-05)."""
    if category != "S":
        return _("VAT category %(category)s has a 0 %% rate, not %(rate)s %%.") % {
            "category": category, "rate": rate,
        }  # fmt: skip
    if not rate:
        return _(
            "VAT category S (standard) needs a rate above 0 %: a 0 % line is category Z, E or another exemption."
        )
    return _("%(rate)s %% is not a French VAT rate (%(rates)s).") % {"rate": rate, "rates": french_rates}


def vat_parties(category: str, rule: str, *, missing: str) -> str:
    """A VAT category the parties' identifiers cannot support; ``missing`` says whose number is missing."""
    messages = {
        "seller": _(
            "VAT category %(category)s needs the company's VAT number (EN 16931 %(rule)s): add it to the "
            "company's settings or choose another VAT category (E with the exemption's reason, e.g. "
            "art. 293 B du CGI)."
        ),
        "buyer_vat": _(
            "VAT category %(category)s needs the customer's VAT number (EN 16931 %(rule)s): add it to the "
            "customer or choose another VAT category."
        ),
        "buyer_any": _(
            "VAT category %(category)s needs the customer's VAT number or registration number (SIREN) "
            "(EN 16931 %(rule)s): add it to the customer or choose another VAT category."
        ),
    }
    return messages[missing] % {"category": category, "rule": rule}
