"""A direct-debit return read from a camt.054 statement reopens the invoice it had paid."""

from __future__ import annotations

import datetime as dt

import pytest

from facturier.audit.models import AuditEvent
from facturier.banking.models import BankLine, LineStatus
from facturier.banking.services import bank_account_add, statement_import
from facturier.payments.selectors import Settlement, settlement_of
from facturier.payments.sepa_collections import collection_file_book, collection_file_generate
from tests.banking.conftest import IBAN
from tests.sepa import test_direct_debit as sepa

pytestmark = pytest.mark.time_machine(dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC))
# the SEPA tests' fixtures: a creditor identifier, an issued invoice, the customer's mandate, an SMTP server
creditor, invoice, mandate, smtp = sepa.creditor, sepa.invoice, sepa.mandate, sepa.smtp


def camt054_return(end_to_end_id: str, amount: str, reason: str = "AM04") -> bytes:
    """A bank's notification of one returned collection (debit on our account, RtrInf with the reason)."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02">
  <BkToCstmrDbtCdtNtfctn>
    <GrpHdr><MsgId>N-RTN-1</MsgId><CreDtTm>2027-01-12T10:00:00</CreDtTm></GrpHdr>
    <Ntfctn>
      <Id>NTF-RTN-1</Id><CreDtTm>2027-01-12T10:00:00</CreDtTm>
      <Acct><Id><IBAN>{IBAN}</IBAN></Id></Acct>
      <Ntry>
        <Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>DBIT</CdtDbtInd><RvslInd>true</RvslInd><Sts>BOOK</Sts>
        <BookgDt><Dt>2027-01-12</Dt></BookgDt><AcctSvcrRef>RTN-{end_to_end_id}</AcctSvcrRef>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>{end_to_end_id}</EndToEndId></Refs>
          <RtrInf><Rsn><Cd>{reason}</Cd></Rsn></RtrInf>
        </TxDtls></NtryDtls>
      </Ntry>
    </Ntfctn>
  </BkToCstmrDbtCdtNtfctn>
</Document>
""".encode()


@pytest.fixture
def booked(entity, owner, invoice, mandate, smtp, django_capture_on_commit_callbacks):
    (collection,) = sepa.schedule(entity, owner, django_capture_on_commit_callbacks)
    sepa_file = collection_file_generate(entity=entity, collection_date=sepa.COLLECTION, by=owner)
    collection_file_book(sepa_file=sepa_file, booked_on=sepa.COLLECTION, by=owner)
    return collection


def test_a_return_in_an_imported_statement_reverses_the_payment_and_reopens_the_invoice(
    entity, owner, invoice, booked
):
    # given a collected invoice (paid by direct debit) and the company's bank account
    assert settlement_of(invoice).settlement == Settlement.PAID
    bank_account_add(entity=entity, by=owner, iban=IBAN, name="Compte courant")
    notification = camt054_return(booked.end_to_end_id, "3204.60")
    # when the bank's notification of the return is imported
    statement_import(entity=entity, by=owner, filename="retours.xml", content=notification)
    # then the invoice is owed again, with the reason, and the bank line is reconciled with it
    assert settlement_of(invoice).settlement == Settlement.UNPAID
    booked.refresh_from_db()
    assert booked.return_reason == "AM04"
    line = BankLine.objects.get(end_to_end_id=booked.end_to_end_id)
    assert line.status == LineStatus.AUTO
    assert line.reasons[0]["params"] == {"invoice": invoice.number, "reason": "AM04"}
    # and importing the same notification again changes nothing
    statement_import(entity=entity, by=owner, filename="retours-bis.xml", content=notification + b"\n")
    assert AuditEvent.objects.filter(action="direct_debit.returned").count() == 1
    assert BankLine.objects.count() == 1


def test_a_return_of_a_collection_that_is_not_ours_stays_for_the_clerk(entity, owner, invoice, booked):
    bank_account_add(entity=entity, by=owner, iban=IBAN, name="Compte courant")
    statement_import(
        entity=entity, by=owner, filename="r.xml", content=camt054_return("SOMEONE-ELSE-1", "50.00")
    )
    line = BankLine.objects.get()
    assert (line.status, line.return_reason) == (LineStatus.UNRECONCILED, "AM04")
    assert settlement_of(invoice).settlement == Settlement.PAID
