"""Bad input gives clear errors; the retention is released once, after the guarantee period or early."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from facturier.audit.models import AuditEvent
from facturier.common.errors import Conflict, PermissionDenied, ValidationFailed
from facturier.construction.models import ContractStatus, RetentionRelease
from facturier.construction.selectors import contract_summary
from facturier.construction.services import (
    LineInput,
    ProgressInput,
    construction_contract_create,
    contract_accept,
    release_due_date,
    retention_release,
    situation_issue,
    situation_record,
)

pytestmark = pytest.mark.django_db
MARCH = dt.datetime(2026, 3, 31, 10, tzinfo=dt.UTC)


def _progress(contract, *percents):
    return [
        ProgressInput(line=line, percent=Decimal(p))
        for line, p in zip(contract.lines.all(), percents, strict=False)
    ]


def _bill(contract, owner, *steps):
    for step in steps:
        situation_issue(
            situation=situation_record(contract=contract, by=owner, progress=_progress(contract, *step)),
            by=owner,
        )


def test_progress_above_100_percent_is_refused(make_contract, owner):
    contract = make_contract()
    with pytest.raises(ValidationFailed) as caught:
        situation_record(contract=contract, by=owner, progress=_progress(contract, "50", "100.5"))
    assert caught.value.code == "progress_above_total"
    assert caught.value.field == "progress[1]"
    assert "2. Gros œuvre" in caught.value.message


def test_quantity_done_above_the_contract_quantity_is_refused(make_contract, owner):
    contract = make_contract()
    line = contract.lines.get(position=1)
    with pytest.raises(ValidationFailed) as caught:
        situation_record(
            contract=contract, by=owner, progress=[ProgressInput(line=line, quantity_done=Decimal("121"))]
        )
    assert caught.value.code == "progress_above_total"


@time_machine.travel(MARCH, tick=False)
def test_decreasing_progress_is_refused_unless_it_is_a_correction(make_contract, owner):
    contract = make_contract()
    _bill(contract, owner, ("50", "50", "50"))
    with pytest.raises(ValidationFailed) as caught:
        situation_record(contract=contract, by=owner, progress=_progress(contract, "40"))
    assert caught.value.code == "progress_decreasing"
    assert caught.value.field == "progress[0]"
    # an explicit correction lowering one line while others progress: the decrease is an allowance
    situation = situation_record(
        contract=contract, by=owner, progress=_progress(contract, "40", "60"), correction=True
    )
    situation = situation_issue(situation=situation, by=owner)
    allowance = situation.document.allowances_charges.get()
    assert allowance.amount == Decimal("426.00")
    assert not allowance.is_charge
    assert situation.amount == Decimal("4800.00") - Decimal("426.00")


def test_a_correction_lowering_the_total_needs_a_credit_note(make_contract, owner):
    contract = make_contract()
    with time_machine.travel(MARCH, tick=False):
        _bill(contract, owner, ("50",))
        situation = situation_record(
            contract=contract, by=owner, progress=_progress(contract, "40"), correction=True
        )
        with pytest.raises(Conflict) as caught:
            situation_issue(situation=situation, by=owner)
    assert caught.value.code == "situation_needs_credit_note"


@time_machine.travel(MARCH, tick=False)
def test_one_pending_situation_at_a_time_and_nothing_to_bill(make_contract, owner):
    contract = make_contract()
    situation_record(contract=contract, by=owner, progress=_progress(contract, "10"))
    with pytest.raises(Conflict) as caught:
        situation_record(contract=contract, by=owner, progress=_progress(contract, "20"))
    assert caught.value.code == "situation_pending"
    other = make_contract(reference="M-2")
    idle = situation_record(contract=other, by=owner, progress=[])
    with pytest.raises(Conflict) as caught:
        situation_issue(situation=idle, by=owner)
    assert caught.value.code == "situation_nothing_to_bill"


def test_retention_rate_is_at_most_5_percent_and_0_with_a_bank_guarantee(make_contract):
    with pytest.raises(ValidationFailed) as caught:
        make_contract(retention_rate=Decimal("7"))
    assert caught.value.field == "retention_rate"
    with pytest.raises(ValidationFailed):
        make_contract(reference="M-3", bank_guarantee_reference="CAU-2026-17")
    contract = make_contract(
        reference="M-4", bank_guarantee_reference="CAU-2026-17", retention_rate=Decimal(0)
    )
    assert contract.retention_rate == 0


def test_other_entities_and_outsiders_are_refused(make_contract, entity, customer, outsider, colleague):
    with pytest.raises(PermissionDenied):
        construction_contract_create(entity=entity, customer=customer, by=outsider, reference="X", name="X",
                                     lines=[LineInput(description="a", unit_price=Decimal(1))])  # fmt: skip
    with pytest.raises(ValidationFailed):
        make_contract(lines=[LineInput(description="", unit_price=Decimal(1))])


def test_retention_released_once_after_the_guarantee_period(make_contract, owner):
    contract = make_contract()
    with time_machine.travel(dt.datetime(2026, 2, 27, 10, tzinfo=dt.UTC), tick=False):
        _bill(contract, owner, ("30", "30", "30"), ("65", "65", "65"), ("100", "100", "100"))
        contract_accept(contract=contract, by=owner, acceptance_date=dt.date(2026, 2, 28))
    contract.refresh_from_db()
    assert release_due_date(contract) == dt.date(2027, 2, 28)
    withheld = sum(s.document.prepaid for s in contract.situations.all())
    assert withheld == contract_summary(contract).withheld > 0
    with time_machine.travel(dt.datetime(2027, 2, 27, 12, tzinfo=dt.UTC), tick=False):
        with pytest.raises(Conflict) as caught:
            retention_release(contract=contract, by=owner)
        assert caught.value.code == "retention_not_due"
        assert "2027-02-28" in caught.value.message
    with time_machine.travel(dt.datetime(2027, 2, 28, 9, tzinfo=dt.UTC), tick=False):
        release = retention_release(contract=contract, by=owner)
        assert release.amount == withheld
        assert release.date == dt.date(2027, 2, 28)
        assert not release.early
        with pytest.raises(Conflict) as caught:
            retention_release(contract=contract, by=owner)
        assert caught.value.code == "retention_already_released"
        with pytest.raises(Conflict) as caught:
            situation_record(contract=contract, by=owner, progress=[])
        assert caught.value.code == "construction_contract_closed"
    contract.refresh_from_db()
    assert contract.status == ContractStatus.CLOSED
    assert RetentionRelease.objects.filter(contract=contract).count() == 1
    actions = set(AuditEvent.objects.filter(entity=contract.entity).values_list("action", flat=True))
    assert {
        "construction_contract.created",
        "construction_situation.recorded",
        "construction_situation.issued",
        "construction_contract.accepted",
        "construction_retention.released",
    } <= actions


@time_machine.travel(dt.datetime(2028, 2, 29, 10, tzinfo=dt.UTC), tick=False)
def test_leap_day_acceptance_and_early_release(make_contract, owner):
    contract = make_contract()
    _bill(contract, owner, ("20",))
    contract_accept(contract=contract, by=owner, acceptance_date=dt.date(2028, 2, 29))
    contract.refresh_from_db()
    assert release_due_date(contract) == dt.date(2029, 2, 28)
    with pytest.raises(ValidationFailed):
        retention_release(contract=contract, by=owner, early=True)
    release = retention_release(contract=contract, by=owner, early=True, reason="Réception sans réserve")
    assert release.early
    assert release.amount == contract.situations.get().retention


def test_release_before_acceptance_is_refused(make_contract, owner):
    contract = make_contract()
    with pytest.raises(Conflict) as caught:
        retention_release(contract=contract, by=owner)
    assert caught.value.code == "works_not_accepted"


def test_amounts_beyond_what_an_invoice_carries_are_refused(make_contract):
    with pytest.raises(ValidationFailed) as caught:
        make_contract(lines=[LineInput(description="Ouvrage d'art", quantity=Decimal("9999999"),
                                       unit_price=Decimal("99999999"))])  # fmt: skip
    assert caught.value.code == "amount_too_large"
    with pytest.raises(ValidationFailed) as caught:
        make_contract(lines=[LineInput(description="Trop précis", unit_price=Decimal("1.0000001"))])
    assert caught.value.code == "invalid_amount"
