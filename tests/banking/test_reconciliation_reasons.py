"""The engine's reason codes in words, in English and French, naming invoices and customers; every code the
engine documents has words (an unknown code is shown as is rather than hidden)."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from facturier.banking.reasons import describe, describe_all
from facturier.domain import reconciliation

DOCUMENTED = re.findall(r"``(\w+)``", reconciliation.__doc__ or "")


def test_every_reason_code_the_engine_documents_has_words():
    codes = [code for code in DOCUMENTED if code not in {"number", "text", "amount", "open", "difference", "count",
                                                         "customer", "similarity", "customers", "date", "candidates", "items"}]  # fmt: skip
    assert len(codes) >= 20
    with translation.override("en"):
        for code in codes:
            assert describe({"code": code, "params": {}}) != code, code


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "the invoice number FAC-2026-00042; 3.00 short of 120.00: bank fees; a payer name learned for SARL Durand"),
        ("fr", "le numéro de facture FAC-2026-00042 ; 3.00 de moins que 120.00 : des frais bancaires ; "
               "un nom de payeur appris pour SARL Durand"),
    ],
)  # fmt: skip
def test_reasons_read_as_a_sentence_in_the_users_language(language, expected):
    reasons = [
        {"code": "reference_exact", "params": {"number": "FAC-2026-00042", "text": "FAC202600042"}},
        {"code": "amount_fee", "params": {"amount": "117.00", "open": "120.00", "difference": "3.00"}},
        {"code": "name_alias", "params": {"customer": "c-1", "similarity": 1.0}},
    ]
    with translation.override(language):
        text = describe_all(reasons, {"c-1": "SARL Durand"})
    assert text.replace(" ; ", "; ") == expected.replace(" ; ", "; ")


def test_a_missing_parameter_or_an_unknown_code_never_breaks_the_page():
    with translation.override("en"):
        assert describe({"code": "reference_exact", "params": {}}) == "the invoice number ?"
        assert describe({"code": "a_future_code"}) == "a_future_code"
