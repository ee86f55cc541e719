from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from facturier.common.errors import Conflict
from facturier.invoicing.models import Document, Line
from facturier.invoicing.services import LineData, document_update, invoice_issue


def _raw_update(sql: str, params: list) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_issued_invoice_cannot_be_edited_through_services(draft_invoice, owner):
    invoice = invoice_issue(invoice=draft_invoice, by=owner)
    with pytest.raises(Conflict) as error:
        document_update(
            document=invoice, by=owner, lines=[LineData(description="x", unit_price=Decimal("1"))]
        )
    assert error.value.code == "document_not_editable"
    assert invoice.lines.count() == 2


def test_database_refuses_direct_changes_to_an_issued_invoice(draft_invoice, owner):
    invoice = invoice_issue(invoice=draft_invoice, by=owner)
    # when someone rewrites the total in SQL, then the database trigger refuses it
    with pytest.raises(IntegrityError):
        _raw_update("UPDATE invoicing_document SET tax_inclusive = %s WHERE id = %s", ["1.00", invoice.pk.hex
                    if connection.vendor == "sqlite" else invoice.pk])  # fmt: skip
    line = invoice.lines.first()
    with pytest.raises(IntegrityError):
        _raw_update("UPDATE invoicing_line SET unit_price = %s WHERE id = %s", ["1.00", line.pk.hex
                    if connection.vendor == "sqlite" else line.pk])  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        Line.objects.filter(pk=line.pk).delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.filter(pk=invoice.pk).delete()
    invoice.refresh_from_db()
    assert invoice.tax_inclusive == Decimal("3204.60")


def test_status_of_an_issued_invoice_may_still_move(draft_invoice, owner):
    invoice = invoice_issue(invoice=draft_invoice, by=owner)
    Document.objects.filter(pk=invoice.pk).update(status="sent")
    invoice.refresh_from_db()
    assert invoice.status == "sent"
