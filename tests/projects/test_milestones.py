"""Milestones of a fixed-price project: shares, triggers, acceptance reports, the 386 -> 380 chain."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from facturier.audit.models import AuditEvent
from facturier.billing.sources import billing_sources
from facturier.common.errors import Conflict, PermissionDenied, ValidationFailed
from facturier.invoicing.models import TypeCode
from facturier.projects import errors
from facturier.projects.billing import claim_and_draft, due_milestones, milestone_bill
from facturier.projects.models import Milestone, MilestoneKind, Trigger
from facturier.projects.services import (
    deliverable_accept,
    milestone_add,
    milestone_reached,
    progress_record,
    reservations_lift,
)

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
NOW = dt.datetime(2026, 3, 10, 10, tzinfo=PARIS)


def instalment(project, by, **options):
    return milestone_add(project=project, by=by, kind=MilestoneKind.INSTALMENT, **options)


def test_shares_beyond_the_fixed_price_are_refused_with_a_clear_error(make_project, owner):
    project = make_project(price="10000.00")
    instalment(
        project,
        owner,
        label="Maquettes",
        percent=Decimal(60),
        trigger=Trigger.DATE,
        due_date=dt.date(2026, 2, 1),
    )
    with pytest.raises(ValidationFailed) as caught:
        instalment(project, owner, label="Recette", amount=Decimal("4000.01"), trigger=Trigger.DATE,
                   due_date=dt.date(2026, 3, 1))  # fmt: skip
    assert caught.value.code == errors.SHARES_EXCEED_PRICE
    assert caught.value.field == "amount"
    assert "0.01 EUR de plus que le prix forfaitaire (10000.00 EUR)" in caught.value.message
    assert project.milestones.count() == 1


def test_deposits_beyond_the_balance_are_refused(make_project, owner):
    project = make_project(price="1000.00", deposit_percent=Decimal(30))
    with pytest.raises(ValidationFailed) as caught:
        instalment(
            project,
            owner,
            label="Lot 1",
            percent=Decimal(80),
            trigger=Trigger.DATE,
            due_date=dt.date(2026, 2, 1),
        )
    assert caught.value.code == errors.DEPOSITS_EXCEED_BALANCE


def test_a_share_that_bills_nothing_is_refused(make_project, owner):
    project = make_project(price="0.00")
    with pytest.raises(ValidationFailed) as caught:
        instalment(
            project,
            owner,
            label="Rien",
            percent=Decimal(50),
            trigger=Trigger.DATE,
            due_date=dt.date(2026, 2, 1),
        )
    assert caught.value.code == errors.INVALID_SHARE


def test_a_time_and_materials_project_has_no_milestone(make_project, owner):
    project = make_project(price=None)
    with pytest.raises(ValidationFailed) as caught:
        instalment(
            project, owner, label="Lot", amount=Decimal(1), trigger=Trigger.DATE, due_date=dt.date(2026, 2, 1)
        )
    assert caught.value.code == errors.NO_FIXED_PRICE


@time_machine.travel(NOW, tick=False)
def test_deposit_milestones_and_balance_bill_exactly_the_fixed_price_deducting_the_deposit(
    make_project, owner
):
    # given a 10,000 EUR project: 30 % deposit at signing, 40 % at 50 % progress, the balance at acceptance
    project = make_project(deposit_percent=Decimal(30), phases=["Conception", "Réalisation"])
    phase = project.phases.get(name="Réalisation")
    middle = instalment(project, owner, label="Mi-parcours", percent=Decimal(40), trigger=Trigger.PROGRESS,
                        progress_threshold=Decimal(50), phase=phase)  # fmt: skip
    balance = milestone_add(project=project, by=owner, kind=MilestoneKind.BALANCE, label="Solde",
                            trigger=Trigger.ACCEPTANCE, deliverable="Site en production")  # fmt: skip
    deposit = project.milestones.get(kind=MilestoneKind.DEPOSIT)
    # when the deposit is billed at once, then the phase reaches 50 %
    deposit_invoice = milestone_bill(milestone=deposit, by=owner)
    assert [m.pk for m in due_milestones(project.entity, dt.date(2026, 3, 10))] == []
    progress_record(project=project, by=owner, percent=Decimal(50), phase=phase)
    middle.refresh_from_db()
    assert middle.reached_on == dt.date(2026, 3, 10)
    middle_invoice = milestone_bill(milestone=middle, by=owner)
    # and the deliverable is accepted with reservations: the balance waits until they are lifted
    acceptance = deliverable_accept(milestone=balance, by=owner, signed_by="Mme Martin",
                                    reservations="Page contact à corriger")  # fmt: skip
    with pytest.raises(Conflict) as caught:
        milestone_bill(milestone=balance, by=owner)
    assert caught.value.code == errors.NOT_REACHED
    reservations_lift(acceptance=acceptance, by=owner)
    balance_invoice = milestone_bill(milestone=balance, by=owner)
    # then: a 386 of 3,000 + VAT, a 380 of 4,000 + VAT, and a 380 of the remaining 6,000 less the deposit
    assert (deposit_invoice.type_code, deposit_invoice.tax_exclusive) == (
        TypeCode.DEPOSIT,
        Decimal("3000.00"),
    )
    assert deposit_invoice.is_sealed
    assert deposit_invoice.tax_inclusive == Decimal("3600.00")
    assert (middle_invoice.type_code, middle_invoice.tax_exclusive) == (
        TypeCode.COMMERCIAL,
        Decimal("4000.00"),
    )
    assert (balance_invoice.type_code, balance_invoice.tax_exclusive) == (
        TypeCode.COMMERCIAL,
        Decimal("6000.00"),
    )
    assert list(balance_invoice.deposits.all()) == [deposit_invoice]
    assert balance_invoice.prepaid == Decimal("3600.00")
    assert balance_invoice.payable == Decimal("3600.00")
    # the 380 invoices bill exactly the fixed price; what the customer pays in all is that price with VAT
    assert middle_invoice.tax_exclusive + balance_invoice.tax_exclusive == project.fixed_price
    paid = deposit_invoice.payable + middle_invoice.payable + balance_invoice.payable
    assert paid == Decimal("12000.00")


@time_machine.travel(NOW, tick=False)
def test_the_balance_waits_for_the_deposit_invoice_to_be_issued(make_project, owner):
    project = make_project(deposit_percent=Decimal(30))
    balance = milestone_add(project=project, by=owner, kind=MilestoneKind.BALANCE, label="Solde",
                            trigger=Trigger.DATE, due_date=dt.date(2026, 3, 1))  # fmt: skip
    with pytest.raises(Conflict) as caught:
        claim_and_draft(balance, dt.date(2026, 3, 10), owner)
    assert caught.value.code == errors.DEPOSIT_NOT_ISSUED
    assert Milestone.objects.get(pk=balance.pk).invoice is None


@time_machine.travel(NOW, tick=False)
def test_a_milestone_is_billed_once_and_the_second_claim_bills_nothing(make_project, owner):
    project = make_project()
    milestone = instalment(project, owner, label="Lot 1", percent=Decimal(50), trigger=Trigger.DATE,
                           due_date=dt.date(2026, 3, 1))  # fmt: skip
    first = claim_and_draft(milestone, dt.date(2026, 3, 10), owner)
    assert first is not None
    assert claim_and_draft(milestone, dt.date(2026, 3, 10), owner) is None
    with pytest.raises(Conflict) as caught:
        milestone_bill(milestone=milestone, by=owner)
    assert caught.value.code == errors.ALREADY_BILLED
    assert due_milestones(project.entity, dt.date(2026, 3, 10)) == []
    assert AuditEvent.objects.filter(action="milestone.billed").count() == 1


@time_machine.travel(NOW, tick=False)
def test_the_milestones_source_lists_what_is_reached_and_bills_it_once(make_project, owner):
    # given a due date milestone and one waiting for an acceptance
    project = make_project()
    due = instalment(project, owner, label="Lot 1", amount=Decimal("2500.00"), trigger=Trigger.DATE,
                     due_date=dt.date(2026, 3, 1))  # fmt: skip
    instalment(project, owner, label="Lot 2", amount=Decimal("2500.00"), trigger=Trigger.ACCEPTANCE,
               deliverable="Application mobile")  # fmt: skip
    source = next(s for s in billing_sources() if s.key == "milestones")
    # when the run asks what is pending and bills it twice (a resumed run)
    pending = list(source.pending(project.entity, dt.date(2026, 3, 10)))
    assert [(p.key, p.net_amount, p.currency) for p in pending] == [(str(due.pk), Decimal("2500.00"), "EUR")]
    assert source.bill(pending[0], day=dt.date(2026, 3, 10), by=owner) is not None
    assert source.bill(pending[0], day=dt.date(2026, 3, 10), by=owner) is None
    # then nothing is pending any more
    assert list(source.pending(project.entity, dt.date(2026, 3, 10))) == []


@pytest.mark.parametrize(
    ("utc_moment", "due"),
    [
        (dt.datetime(2026, 2, 28, 22, 30, tzinfo=dt.UTC), False),  # 23:30 in Paris: still 28 February
        (dt.datetime(2026, 2, 28, 23, 30, tzinfo=dt.UTC), True),  # 00:30 on 1 March in Paris
        (dt.datetime(2026, 3, 28, 23, 30, tzinfo=dt.UTC), True),  # DST night: 01:30 CET on 29 March
    ],
)
def test_a_date_milestone_is_due_on_its_day_in_the_entity_time_zone(make_project, owner, utc_moment, due):
    project = make_project()
    day = dt.date(2026, 3, 29) if utc_moment.month == 3 else dt.date(2026, 3, 1)
    instalment(project, owner, label="Échéance", percent=Decimal(10), trigger=Trigger.DATE, due_date=day)
    with time_machine.travel(utc_moment, tick=False):
        from facturier.invoicing.services.common import entity_today

        assert bool(due_milestones(project.entity, entity_today(project.entity))) is due


def test_the_deposit_at_signing_is_due_on_the_start_date_even_on_29_february(make_project, owner):
    project = make_project(start=dt.date(2028, 2, 29), deposit_percent=Decimal("33.33"), price="1000.00")
    deposit = project.milestones.get()
    assert (deposit.amount, deposit.due_date) == (Decimal("333.30"), dt.date(2028, 2, 29))
    assert due_milestones(project.entity, dt.date(2028, 2, 28)) == []
    assert due_milestones(project.entity, dt.date(2028, 2, 29)) == [deposit]


@time_machine.travel(NOW, tick=False)
def test_progress_already_recorded_reaches_a_milestone_added_later_and_by_hand_works(make_project, owner):
    project = make_project()
    progress_record(project=project, by=owner, percent=Decimal(75))
    later = instalment(project, owner, label="75 %", percent=Decimal(20), trigger=Trigger.PROGRESS,
                       progress_threshold=Decimal(70))  # fmt: skip
    assert Milestone.objects.get(pk=later.pk).reached_on == dt.date(2026, 3, 10)
    manual = instalment(project, owner, label="Livraison", percent=Decimal(20), trigger=Trigger.ACCEPTANCE,
                        deliverable="Recette")  # fmt: skip
    milestone_reached(milestone=manual, by=owner)
    with pytest.raises(Conflict):
        milestone_reached(milestone=manual, by=owner)
    assert AuditEvent.objects.filter(action="milestone.reached").count() == 2
    with pytest.raises(ValidationFailed):
        progress_record(project=project, by=owner, percent=Decimal(101))


@time_machine.travel(NOW, tick=False)
def test_acceptance_needs_an_acceptance_milestone_and_a_signatory(make_project, owner):
    project = make_project()
    dated = instalment(
        project, owner, label="Lot", percent=Decimal(10), trigger=Trigger.DATE, due_date=dt.date(2026, 4, 1)
    )
    with pytest.raises(ValidationFailed) as caught:
        deliverable_accept(milestone=dated, by=owner, signed_by="X")
    assert caught.value.code == errors.NOT_A_DELIVERABLE
    accepted = instalment(project, owner, label="Lot 2", percent=Decimal(10), trigger=Trigger.ACCEPTANCE,
                          deliverable="Rapport")  # fmt: skip
    with pytest.raises(ValidationFailed):
        deliverable_accept(milestone=accepted, by=owner, signed_by=" ")
    acceptance = deliverable_accept(
        milestone=accepted, by=owner, signed_by="M. Martin", accepted_on=dt.date(2026, 3, 9)
    )
    assert Milestone.objects.get(pk=accepted.pk).reached_on == dt.date(2026, 3, 9)
    assert (acceptance.signed_by, acceptance.recorded_by) == ("M. Martin", owner)
    with pytest.raises(Conflict) as lifted:
        reservations_lift(acceptance=acceptance, by=owner)
    assert lifted.value.code == errors.NO_RESERVATIONS


def test_an_outsider_cannot_add_a_milestone(make_project, outsider):
    project = make_project()
    with pytest.raises(PermissionDenied):
        instalment(
            project,
            outsider,
            label="Lot",
            percent=Decimal(10),
            trigger=Trigger.DATE,
            due_date=dt.date(2026, 4, 1),
        )
