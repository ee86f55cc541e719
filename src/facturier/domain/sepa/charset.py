"""The SEPA Latin character set (EPC217-08): what every SEPA bank must accept in free text.

a-z A-Z 0-9 / - ? : ( ) . , ' + and space. Anything else is transliterated (accents dropped,
ligatures spelled out) or replaced by a space; identifiers additionally may not start with `/`
nor contain `//`.
"""

import re
import unicodedata

ALLOWED = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-?:().,'+ ")
_SPELLED = {
    "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D",
    "ł": "l", "Ł": "L", "þ": "th", "Þ": "TH", "ð": "d", "Ð": "D", "&": "+", "’": "'", "‘": "'",
    "«": "'", "»": "'", "“": "'", "”": "'", '"': "'", "–": "-", "—": "-", "_": "-", "€": "EUR",
    "@": "(at)", "°": ".", "\u00a0": " ", "\u202f": " ", "#": "-", ";": ",", "!": ".", "*": ".",
}  # fmt: skip
_SPACES = re.compile(r"\s+")


def _transliterate(char: str) -> str:
    if char in ALLOWED:
        return char
    if char in _SPELLED:
        return _SPELLED[char]
    decomposed = unicodedata.normalize("NFKD", char)
    kept = "".join(c for c in decomposed if c in ALLOWED)
    return kept or " "


def sepa_text(value: str, max_length: int) -> str:
    """`value` in the SEPA character set, spaces collapsed, cut to `max_length` characters."""
    text = "".join(_transliterate(char) for char in value)
    return _SPACES.sub(" ", text).strip()[:max_length].strip()


def sepa_identifier(value: str, max_length: int = 35) -> str:
    """An identifier (message id, end-to-end id, mandate id): no spaces, no leading `/`, no `//`."""
    text = sepa_text(value, 10_000).replace(" ", "")
    while "//" in text:
        text = text.replace("//", "/")
    return text.lstrip("/")[:max_length]
