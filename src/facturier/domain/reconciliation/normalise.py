"""Canonical forms the engine compares: invoice-number keys, payer names, IBANs, RF references.

Two keys per invoice number, so the payer's reformatting does not matter:
- the *compact* key: letters and digits only, upper case (``fac 2026/00042`` -> ``FAC202600042``);
- the *loose* key: the runs of letters and of digits, leading zeros dropped, joined by dots
  (``FAC-2026-00042``, ``fac2026 42`` -> ``FAC.2026.42``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from facturier.domain import creditor_reference

_TOKEN = re.compile(r"[A-Z0-9]+")
_RUN = re.compile(r"[A-Z]+|[0-9]+")
_RF_START = re.compile(r"RF[0-9]{2}")
_NOT_ALNUM = re.compile(r"[^A-Z0-9]")
_LEADING_ZEROS = re.compile(r"(?:^|(?<=\.))0+(?=[0-9])")

MAX_WINDOW = 4  # an invoice number split by the payer into at most this many words

# words that say what a company is, not who: dropped before comparing payer names
LEGAL_WORDS = frozenset(
    """SA SAS SASU SARL EURL SCI SCP SCOP SNC SELARL SEL GIE STE SOCIETE STES ETS ETABLISSEMENTS CIE
    GROUPE GMBH AG KG LTD LIMITED PLC INC LLC CORP BV NV SPA SRL SL LE LA LES L DE DU DES D ET THE OF AND
    M MR MME MLLE MRS MS MONSIEUR MADAME EN FRANCE""".split()
)


def fold(text: str) -> str:
    """Upper case without accents (``Société Générale`` -> ``SOCIETE GENERALE``)."""
    if text.isascii():
        return text.upper()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).upper()


def compact_key(text: str) -> str:
    return _NOT_ALNUM.sub("", fold(text))


def number_keys(number: str) -> tuple[str, str]:
    """(compact, loose) keys of an invoice number."""
    folded = fold(number)
    return _NOT_ALNUM.sub("", folded), _LEADING_ZEROS.sub("", ".".join(_RUN.findall(folded)))


def loose_key(text: str) -> str:
    return _LEADING_ZEROS.sub("", ".".join(_RUN.findall(fold(text))))


def reference_windows(text: str) -> Iterator[tuple[str, str]]:
    """(compact, loose) keys of every run of 1 to MAX_WINDOW consecutive words that holds a digit."""
    tokens = _TOKEN.findall(fold(text))
    runs = [_LEADING_ZEROS.sub("", ".".join(_RUN.findall(token))) for token in tokens]
    digits = [any(char.isdigit() for char in token) for token in tokens]
    count = len(tokens)
    for start in range(count):
        has_digit = False
        for end in range(start + 1, min(start + MAX_WINDOW, count) + 1):
            has_digit = has_digit or digits[end - 1]
            if not has_digit:
                continue
            compact = "".join(tokens[start:end])
            if len(compact) > 40:
                break
            yield compact, ".".join(runs[start:end])


def rf_candidates(text: str) -> Iterator[str]:
    """Valid RF references written in `text`, in electronic or printed (grouped by four) form."""
    folded = fold(text)
    for found in _RF_START.finditer(folded):
        tail = _NOT_ALNUM.sub("", folded[found.start() : found.start() + 40])[:25]
        # the reference may run into the next word: try the longest valid prefix first
        for end in range(len(tail), 4, -1):
            if creditor_reference.is_valid(tail[:end]):
                yield tail[:end]
                break


def rf_payloads(text: str) -> Iterator[str]:
    """What follows ``RFkk`` in words that look like a mistyped RF reference (check digits wrong), in
    electronic form (one word) or printed (``RFkk`` then groups of four, the last one shorter)."""
    tokens = _TOKEN.findall(fold(text))
    for at, token in enumerate(tokens):
        if not _RF_START.match(token):
            continue
        if len(token) > 4:
            yield token[4:]
            continue
        groups: list[str] = []
        for group in tokens[at + 1 :]:
            if len(group) > 4 or sum(len(known) for known in groups) + len(group) > 21:
                break
            groups.append(group)
            if len(group) < 4:
                break
        if groups:
            yield "".join(groups)


def name_tokens(name: str) -> frozenset[str]:
    """The distinctive words of a payer or customer name."""
    return frozenset(
        token for token in _TOKEN.findall(fold(name)) if token not in LEGAL_WORDS and len(token) > 1
    )


def name_key(name: str) -> str:
    """Word order and legal forms do not matter: ``SARL Martin & Fils`` == ``FILS MARTIN``."""
    return " ".join(sorted(name_tokens(name)))


def iban_key(iban: str) -> str:
    return compact_key(iban)
