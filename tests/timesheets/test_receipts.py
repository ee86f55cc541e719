"""Receipts are PDF, JPEG or PNG by their bytes, within the size limit, stored under their hash."""

import datetime as dt
from decimal import Decimal

import pytest

from facturier.common.errors import ValidationFailed
from facturier.timesheets.models import Expense
from facturier.timesheets.services import expense_create

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _expense(entity, project, consultant, **extra):
    return expense_create(entity=entity, project=project, person=consultant, by=consultant, date=dt.date(2026, 3, 2),
                          category="meals", amount=Decimal("18.50"), **extra)  # fmt: skip


def test_a_png_receipt_is_kept_under_its_hash(entity, project, consultant):
    expense = _expense(entity, project, consultant, receipt=PNG)
    assert expense.receipt_type == "image/png"
    assert expense.receipt_sha256 in expense.receipt.name
    assert "receipt" not in expense.receipt.name.split("/")[-1]
    assert expense.receipt.read() == PNG


@pytest.mark.parametrize("content", [
    b"<html><script>alert(1)</script></html>", b"MZ\x90\x00 executable", b"GIF89a....", b"",
    b"  %PDF-1.7 preceded by spaces",
])  # fmt: skip
def test_a_receipt_of_another_type_is_refused_and_nothing_is_written(entity, project, consultant, content):
    with pytest.raises(ValidationFailed) as refused:
        _expense(entity, project, consultant, receipt=content)
    assert refused.value.code == "receipt_type"
    assert refused.value.field == "receipt"
    assert Expense.objects.count() == 0


def test_a_receipt_over_the_size_limit_is_refused(settings, entity, project, consultant):
    settings.FACTURIER_RECEIPT_MAX_BYTES = 1024
    with pytest.raises(ValidationFailed) as refused:
        _expense(entity, project, consultant, receipt=b"%PDF-1.7\n" + b"0" * 1024)
    assert refused.value.code == "receipt_too_large"
    assert Expense.objects.count() == 0
    assert (
        _expense(entity, project, consultant, receipt=b"%PDF-1.7\n" + b"0" * 512).receipt_type
        == "application/pdf"
    )


def test_an_expense_in_another_currency_than_the_project_is_refused(entity, project, consultant):
    with pytest.raises(ValidationFailed) as refused:
        _expense(entity, project, consultant, currency="USD")
    assert refused.value.code == "currency_mismatch"
