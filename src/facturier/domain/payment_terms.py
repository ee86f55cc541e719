"""Payment terms: due-date arithmetic, wording in French and English, and the French legal ceiling.

French law (Code de commerce, art. L441-10, formerly L441-6) caps agreed payment terms at
60 days from the invoice date or 45 days end of month; for periodic invoices (CGI art. 289 I-3)
at 45 days from the invoice date. The administration (DGCCRF) accepts two readings of
"45 jours fin de mois": add 45 days then go to the end of that month, or go to the end of the
month then add 45 days; both are modelled here.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = [
    "LEGAL_MAX_DAYS",
    "LEGAL_MAX_DAYS_END_OF_MONTH",
    "LEGAL_MAX_DAYS_PERIODIC",
    "PRESETS",
    "PaymentTerms",
    "parse_terms",
    "within_legal_limit",
]

LEGAL_MAX_DAYS = 60
LEGAL_MAX_DAYS_END_OF_MONTH = 45
LEGAL_MAX_DAYS_PERIODIC = 45
# Going to the end of the month adds at most 30 days (from the 1st of a 31-day month).
_MAX_END_OF_MONTH_SHIFT = 30


def _end_of_month(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


@dataclass(frozen=True)
class PaymentTerms:
    """How the due date follows from the issue date.

    ``end_of_month``: "45 jours fin de mois" (add the days, then go to the end of that month).
    ``end_of_month_then_days``: "fin de mois 45 jours" (end of the issue month, then add the days).
    """

    days: int
    end_of_month: bool = False
    end_of_month_then_days: bool = False

    def __post_init__(self) -> None:
        if self.days < 0:
            raise ValueError(f"payment terms cannot have a negative number of days ({self.days}).")
        if self.end_of_month and self.end_of_month_then_days:
            raise ValueError("choose either end_of_month or end_of_month_then_days, not both.")

    @property
    def code(self) -> str:
        """Canonical short code, accepted back by :func:`parse_terms` ("net30", "45eom", "eom45")."""
        if self.end_of_month:
            return f"{self.days}eom"
        if self.end_of_month_then_days:
            return f"eom{self.days}"
        return "receipt" if self.days == 0 else f"net{self.days}"

    def due_date(self, issue_date: date) -> date:
        """The date payment is due for an invoice issued on ``issue_date``."""
        if self.end_of_month:
            return _end_of_month(issue_date + timedelta(days=self.days))
        if self.end_of_month_then_days:
            return _end_of_month(issue_date) + timedelta(days=self.days)
        return issue_date + timedelta(days=self.days)

    def describe(self, language: str = "fr") -> str:
        """Wording for the invoice ("30 jours net" / "Net 30 days"); ``language`` is "fr" or "en"."""
        lang = language[:2].lower()
        if lang not in {"fr", "en"}:
            raise ValueError(f"no payment-terms wording for language {language!r} (use 'fr' or 'en').")
        french = lang == "fr"
        if self.end_of_month or self.end_of_month_then_days:
            if self.days == 0:
                return "fin de mois" if french else "end of month"
            if self.end_of_month:
                return f"{self.days} jours fin de mois" if french else f"{self.days} days end of month"
            return f"fin de mois {self.days} jours" if french else f"end of month + {self.days} days"
        if self.days == 0:
            return "Paiement à réception" if french else "Due on receipt"
        return f"{self.days} jours net" if french else f"Net {self.days} days"


PRESETS: dict[str, PaymentTerms] = {
    "receipt": PaymentTerms(0),
    "net15": PaymentTerms(15),
    "net30": PaymentTerms(30),
    "net45": PaymentTerms(45),
    "net60": PaymentTerms(60),
    "45eom": PaymentTerms(45, end_of_month=True),
    "30eom": PaymentTerms(30, end_of_month=True),
    "eom45": PaymentTerms(45, end_of_month_then_days=True),
}

_CODE_PATTERNS: tuple[tuple[re.Pattern[str], dict[str, bool]], ...] = (
    (re.compile(r"net(\d{1,3})"), {}),
    (re.compile(r"(\d{1,3})eom"), {"end_of_month": True}),
    (re.compile(r"eom(\d{1,3})"), {"end_of_month_then_days": True}),
)


def parse_terms(code: str) -> PaymentTerms:
    """Payment terms from a preset name or a code "netN", "Neom" or "eomN"; ValueError otherwise."""
    normalized = code.strip().lower()
    if normalized in PRESETS:
        return PRESETS[normalized]
    for pattern, flags in _CODE_PATTERNS:
        match = pattern.fullmatch(normalized)
        if match:
            return PaymentTerms(int(match.group(1)), **flags)
    raise ValueError(
        f"unknown payment terms {code!r}: use one of {', '.join(PRESETS)} or 'netN', 'Neom', 'eomN'."
    )


def within_legal_limit(terms: PaymentTerms, *, periodic_invoice: bool = False) -> bool:
    """True if the terms respect the French ceiling (Code de commerce L441-10).

    Ordinary invoices: at most 60 days net, or 45 days end of month (either reading).
    Periodic invoices: at most 45 days from the invoice date, so an end-of-month term passes
    only if even its longest case (30 extra days to reach the month end) stays within 45 days.
    Sector-specific ceilings (road transport: 30 days) are the caller's business.
    """
    is_end_of_month = terms.end_of_month or terms.end_of_month_then_days
    if periodic_invoice:
        longest = terms.days + (_MAX_END_OF_MONTH_SHIFT if is_end_of_month else 0)
        return longest <= LEGAL_MAX_DAYS_PERIODIC
    if is_end_of_month:
        return terms.days <= LEGAL_MAX_DAYS_END_OF_MONTH
    return terms.days <= LEGAL_MAX_DAYS
