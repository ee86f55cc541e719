"""The rate card and the company's settings: writes (audited) and the resolution of an entry's rate.

`rate_for` asks the pure `domain.timesheets.rates.resolve_rate` which rule prices an entry; the order of
specificity is documented there and in docs/timesheets.md.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from facturier.accounts.actor import Actor
from facturier.accounts.authorization import authorize
from facturier.accounts.models import LegalEntity, Membership
from facturier.accounts.roles import Action
from facturier.audit.services import audit_record
from facturier.common.errors import ValidationFailed
from facturier.domain.timesheets import rates as domain
from facturier.domain.timesheets.valuation import InvalidMarkup, with_markup
from facturier.parties.models import Customer
from facturier.projects.models import Project
from facturier.timesheets import errors
from facturier.timesheets.models import RateRule, TimeEntry, TimesheetSettings


def settings_of(entity: LegalEntity) -> TimesheetSettings:
    """The company's settings (defaults when never saved: 15-minute increments, no markup)."""
    found = TimesheetSettings.objects.filter(entity=entity).first()
    return found or TimesheetSettings(entity=entity)


@transaction.atomic
def settings_set(
    *, entity: LegalEntity, by: Actor, rounding_minutes: int, expense_markup_percent: Decimal
) -> TimesheetSettings:
    authorize(by, Action.MANAGE_ENTITY, entity, resource="entity")
    if not 1 <= rounding_minutes <= 24 * 60:
        raise ValidationFailed(_("The increment is between 1 minute and 24 hours."), field="rounding_minutes",
                               code=errors.INVALID_DURATION)  # fmt: skip
    try:
        with_markup(Decimal(0), expense_markup_percent)
    except InvalidMarkup as error:
        raise ValidationFailed(_("A markup is a percentage between 0 and 1000."), field="expense_markup_percent",
                               code=errors.INVALID_MARKUP) from error  # fmt: skip
    current = settings_of(entity)
    before = {"rounding_minutes": current.rounding_minutes, "markup": str(current.expense_markup_percent)}
    current.rounding_minutes, current.expense_markup_percent = rounding_minutes, expense_markup_percent
    current.save()
    audit_record(entity=entity, actor=by, action="timesheet_settings.updated", obj=current, before=before,
                 after={"rounding_minutes": rounding_minutes, "markup": str(expense_markup_percent)})  # fmt: skip
    return current


def _domain_rule(rule: RateRule) -> domain.RateRule:
    return domain.RateRule(
        rate=rule.hourly_rate, customer=str(rule.customer_id) if rule.customer_id else None,
        person=str(rule.person_id) if rule.person_id else None, task=rule.task or None, role=rule.role or None,
        project=str(rule.project_id) if rule.project_id else None, ref=str(rule.pk),
    )  # fmt: skip


def rule_state(rule: RateRule) -> dict[str, Any]:
    return {
        "project": str(rule.project_id or ""), "customer": str(rule.customer_id or ""),
        "person": str(rule.person_id or ""), "task": rule.task, "role": rule.role, "hourly_rate": str(rule.hourly_rate),
    }  # fmt: skip


@transaction.atomic
def rate_rule_create(
    *,
    entity: LegalEntity,
    by: Actor,
    hourly_rate: Decimal,
    project: Project | None = None,
    customer: Customer | None = None,
    person: Any | None = None,
    task: str = "",
    role: str = "",
) -> RateRule:
    authorize(by, Action.EDIT_CATALOG, entity, resource="time_entries")
    if project is not None and project.entity_id != entity.pk:
        raise ValidationFailed(_("Unknown project."), field="project", code=errors.UNKNOWN_PROJECT)
    if customer is not None and customer.entity_id != entity.pk:
        raise ValidationFailed(_("Unknown customer."), field="customer", code="unknown_customer")
    if person is not None and not Membership.objects.filter(entity=entity, user=person).exists():
        raise ValidationFailed(_("The person is not a member of this company."), field="person",
                               code=errors.UNKNOWN_PERSON)  # fmt: skip
    if hourly_rate < 0 or hourly_rate.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValidationFailed(_("A rate is not negative and has at most 2 decimals."), field="hourly_rate",
                               code="invalid_amount")  # fmt: skip
    rule = RateRule(entity=entity, project=project, customer=customer, person=person, task=task.strip(),
                    role=role.strip(), hourly_rate=hourly_rate)  # fmt: skip
    try:
        level = domain.level_of(_domain_rule(rule))
    except domain.InvalidRule as error:
        raise ValidationFailed(
            _("A rate names a customer and a person, a person, a task, a customer, a role, or nothing (default)."),
            field="task", code=errors.INVALID_RULE,
        ) from error  # fmt: skip
    same = [r for r in RateRule.objects.filter(entity=entity, project=project)
            if domain.level_of(_domain_rule(r)) == level and _same_target(r, rule)]  # fmt: skip
    if same:
        raise ValidationFailed(_("The rate card already has this rate: remove it first."), field="hourly_rate",
                               code=errors.INVALID_RULE)  # fmt: skip
    rule.save()
    audit_record(entity=entity, actor=by, action="rate_rule.created", obj=rule, after=rule_state(rule))
    return rule


def _same_target(a: RateRule, b: RateRule) -> bool:
    return (a.customer_id, a.person_id, a.task.casefold(), a.role.casefold()) == (
        b.customer_id, b.person_id, b.task.casefold(), b.role.casefold())  # fmt: skip


@transaction.atomic
def rate_rule_delete(*, rule: RateRule, by: Actor) -> None:
    authorize(by, Action.EDIT_CATALOG, rule.entity, resource="time_entries")
    state = rule_state(rule)
    audit_record(entity=rule.entity, actor=by, action="rate_rule.deleted", obj=rule, before=state)
    rule.delete()


def rules_of(entity: LegalEntity) -> list[RateRule]:
    return list(RateRule.objects.filter(entity=entity).select_related("project", "customer", "person"))


def rate_for(entry: TimeEntry, rules: list[RateRule]) -> RateRule | None:
    """The rule pricing ``entry`` among the company's ``rules`` (None: the rate card has none)."""
    facts = domain.EntryFacts(customer=str(entry.project.customer_id), person=str(entry.person_id),
                              project=str(entry.project_id), task=entry.task, role=entry.role)  # fmt: skip
    chosen = domain.resolve_rate([_domain_rule(rule) for rule in rules], facts)
    if chosen is None:
        return None
    return next(rule for rule in rules if str(rule.pk) == chosen.ref)
