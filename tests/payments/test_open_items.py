"""Onboarding: the unpaid invoices of the previous tool become open items that count and can be paid."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from facturier.cli import main
from facturier.common.errors import ValidationFailed
from facturier.parties.models import Customer
from facturier.payments.models import CustomerAccount, OpenItem
from facturier.payments.open_items import open_items_import
from facturier.payments.selectors import imported_open_items, receivables_of, statement_of_account
from facturier.payments.services import allocation_remove, payment_record

HEADER = "invoice_number,customer_name,customer_siren,customer_iban,issue_date,due_date,amount,currency,rf_reference\n"
ROWS = (
    "OLD-001,Boulangerie Martin SARL,443061841,FR7630006000011234567890189,2026-08-01,2026-08-31,1200.00,EUR,RF18539007547034\n"
    "OLD-002,Garage Lefèvre,,DE89370400440532013000,2026-10-15,2026-11-30,480.50,EUR,\n"
)
TODAY = dt.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _english():
    """The line-by-line problems are asserted in English (the command's language)."""
    with translation.override("en"):
        yield


def test_importing_open_items_creates_customers_remembers_ibans_and_counts_them_as_owed(entity, customer):
    # given a CSV from the previous tool: one customer known by SIREN, one new
    result = open_items_import(entity=entity, content=(HEADER + ROWS).encode(), by=None, filename="old.csv")
    # then both open items exist, the known customer was matched and the other created
    assert [item.number for item in result.created] == ["OLD-001", "OLD-002"]
    assert OpenItem.objects.get(number="OLD-001").customer == customer
    (created,) = result.customers_created
    assert created.name == "Garage Lefèvre"
    assert created.entity == entity
    assert OpenItem.objects.get(number="OLD-002").rf_reference == ""
    assert OpenItem.objects.get(number="OLD-001").rf_reference == "RF18539007547034"
    # their IBANs are remembered for reconciliation
    assert CustomerAccount.objects.get(iban="DE89370400440532013000").customer == created
    # and they count in outstanding, overdue and the aged balance
    figures = receivables_of(entity, TODAY)
    assert figures.outstanding == Decimal("1680.50")
    assert figures.overdue == Decimal("1200.00")
    assert figures.overdue_count == 1
    assert figures.aged["61_90"] == Decimal("1200.00")
    assert figures.aged["not_due"] == Decimal("480.50")


def test_importing_the_same_file_twice_writes_nothing_the_second_time(entity, customer):
    open_items_import(entity=entity, content=HEADER + ROWS, by=None)
    again = open_items_import(entity=entity, content=HEADER + ROWS, by=None)
    assert again.created == []
    assert len(again.already) == 2
    assert again.customers_created == []
    assert OpenItem.objects.count() == 2
    assert Customer.objects.filter(entity=entity).count() == 2


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("OLD-003,Client,,,2026-13-01,2026-12-31,10.00,EUR,", "line 4: issue_date '2026-13-01'"),
        ("OLD-003,Client,,,2026-11-01,2026-12-31,10,50,EUR,", "line 4: 10 values for 9 columns"),
        ("OLD-003,Client,,,2026-11-01,2026-12-31,-10.00,EUR,", "line 4: amount '-10.00'"),
        ("OLD-003,Client,123456789,,2026-11-01,2026-12-31,10.00,EUR,", "line 4: customer_siren '123456789'"),
        ("OLD-003,Client,,FR00BAD,2026-11-01,2026-12-31,10.00,EUR,", "line 4: customer_iban 'FR00BAD'"),
        ("OLD-001,Client,,,2026-11-01,2026-12-31,10.00,EUR,", "line 4: invoice OLD-001 is already on line 2"),
    ],
)
def test_a_bad_line_refuses_the_whole_file_naming_its_line(entity, customer, line, problem):
    with pytest.raises(ValidationFailed) as refused:
        open_items_import(entity=entity, content=HEADER + ROWS + line + "\n", by=None)
    assert problem in refused.value.message
    assert refused.value.code == "bad_import"
    assert not OpenItem.objects.exists()
    assert not CustomerAccount.objects.exists()
    assert Customer.objects.filter(entity=entity).count() == 1


def test_the_same_number_with_another_amount_is_refused_on_reimport(entity, customer):
    open_items_import(entity=entity, content=HEADER + ROWS, by=None)
    changed = ROWS.replace("480.50", "490.50")
    with pytest.raises(ValidationFailed) as refused:
        open_items_import(entity=entity, content=HEADER + changed, by=None)
    assert "line 3" in refused.value.message


def test_columns_of_another_name_are_mapped(entity, customer):
    header = HEADER.replace("invoice_number", "Numero").replace("amount", "TTC")
    result = open_items_import(
        entity=entity,
        content=header + ROWS,
        by=None,
        column_map={"Numero": "invoice_number", "TTC": "amount"},
    )
    assert len(result.created) == 2


def test_payments_are_allocated_to_open_items_and_settle_them(entity, customer, owner):
    open_items_import(entity=entity, content=HEADER + ROWS, by=None)
    item = OpenItem.objects.get(number="OLD-001")
    # when 1,000 are received for it
    payment = payment_record(entity=entity, customer=customer, amount=Decimal("1000.00"), received_on=TODAY,
                             by=owner, allocations=[(item, Decimal("1000.00"))])  # fmt: skip
    # then 200 is still owed on it
    (left,) = imported_open_items(entity, customer=customer)
    assert left.balance == Decimal("200.00")
    assert receivables_of(entity, TODAY, customer=customer).outstanding == Decimal("200.00")
    # and more than its balance is refused
    with pytest.raises(ValidationFailed) as refused:
        payment_record(entity=entity, customer=customer, amount=Decimal("300.00"), received_on=TODAY, by=owner,
                       allocations=[(item, Decimal("300.00"))])  # fmt: skip
    assert refused.value.code == "overpayment"
    # the statement of account shows the old invoice and the payment
    assert statement_of_account(customer)[-1].balance == Decimal("200.00")
    # unallocating reopens it
    allocation_remove(allocation=payment.allocations.get(), by=owner)
    assert receivables_of(entity, TODAY, customer=customer).outstanding == Decimal("1200.00")


def test_the_command_imports_and_is_idempotent(entity, customer, tmp_path, capsys):
    path = tmp_path / "open.csv"
    path.write_text(HEADER + ROWS)
    assert main(["import-open-items", str(path), "--entity", entity.siren]) == 0
    assert "2 open items imported, 0 already there, 1 customers created" in capsys.readouterr().out
    assert main(["import-open-items", str(path), "--entity", entity.siren]) == 0
    assert "0 open items imported, 2 already there" in capsys.readouterr().out


def test_the_command_reports_a_bad_line_and_fails(entity, customer, tmp_path, capsys):
    path = tmp_path / "open.csv"
    path.write_text(HEADER + "OLD-9,Client,,,2026-11-01,2026-12-31,abc,EUR,\n")
    assert main(["import-open-items", str(path), "--entity", entity.siren, "--map", "x=amount"]) == 1
    assert "line 2: amount 'abc'" in capsys.readouterr().err
    assert not OpenItem.objects.exists()


def test_the_command_has_help(capsys):
    with pytest.raises(SystemExit):
        main(["import-open-items", "--help"])
    assert "--map OLD=NEW" in capsys.readouterr().out
