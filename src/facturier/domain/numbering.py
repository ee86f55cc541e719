"""Document number patterns such as `FAC-{YYYY}-{seq:05}`.

Placeholders: `{YYYY}` year, `{YY}` two-digit year, `{MM}` month, `{seq}` or `{seq:0N}` the counter
zero-padded to N digits. The reset period decides which counter a date falls in. The French reform
(BR-FR-02) allows at most 35 characters of `A-Z a-z 0-9 + - _ /` in an invoice number.
"""

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

_PLACEHOLDER = re.compile(r"\{(YYYY|YY|MM|seq(?::0(\d))?)\}")
_ALLOWED_NUMBER = re.compile(r"^[A-Za-z0-9+\-_/]{1,35}$")


class Reset(StrEnum):
    NEVER = "never"
    YEARLY = "yearly"
    MONTHLY = "monthly"


class InvalidPattern(ValueError):
    """The numbering pattern cannot produce legal document numbers."""


@dataclass(frozen=True)
class NumberPattern:
    pattern: str
    reset: Reset = Reset.YEARLY

    def __post_init__(self) -> None:
        fields = [match.group(1) for match in _PLACEHOLDER.finditer(self.pattern)]
        if not any(field.startswith("seq") for field in fields):
            raise InvalidPattern("The pattern needs a {seq} placeholder, e.g. FAC-{YYYY}-{seq:05}.")
        if self.reset is Reset.YEARLY and "YYYY" not in fields and "YY" not in fields:
            raise InvalidPattern(
                "A yearly reset needs {YYYY} or {YY} in the pattern, or numbers would repeat."
            )
        if self.reset is Reset.MONTHLY and ("MM" not in fields or not ({"YYYY", "YY"} & set(fields))):
            raise InvalidPattern("A monthly reset needs {MM} and the year in the pattern.")
        literal = _PLACEHOLDER.sub("", self.pattern)
        if literal and not _ALLOWED_NUMBER.match(literal):
            raise InvalidPattern("Only letters, digits and + - _ / are allowed in document numbers.")
        if len(self.format(999_999, dt.date(2099, 12, 31))) > 35:
            raise InvalidPattern("Numbers from this pattern could exceed 35 characters.")

    def period_key(self, day: dt.date) -> str:
        """Which counter `day` belongs to: one per year, per month, or a single one."""
        if self.reset is Reset.YEARLY:
            return f"{day.year:04d}"
        if self.reset is Reset.MONTHLY:
            return f"{day.year:04d}-{day.month:02d}"
        return "all"

    def format(self, sequence: int, day: dt.date) -> str:
        if sequence < 1:
            raise ValueError("Sequence numbers start at 1.")

        def replace(match: re.Match[str]) -> str:
            field = match.group(1)
            if field == "YYYY":
                return f"{day.year:04d}"
            if field == "YY":
                return f"{day.year % 100:02d}"
            if field == "MM":
                return f"{day.month:02d}"
            width = int(match.group(2) or 1)
            return f"{sequence:0{width}d}"

        return _PLACEHOLDER.sub(replace, self.pattern)


def is_legal_number(number: str) -> bool:
    """True if `number` satisfies the French reform's format (BR-FR-02)."""
    return bool(_ALLOWED_NUMBER.match(number))
