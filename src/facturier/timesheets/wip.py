"""Work in progress: approved, billable time and expenses not invoiced yet, valued; and invoicing it.

Time is grouped per (task, person, rate) into one invoice line (hours at the hourly rate), each entry's
minutes rounded up to the company's increment first; each expense is a line of its own at its amount
excluding VAT plus its markup. `wip_invoice` claims every entry it bills in the transaction that
creates the draft (a conditional update of ``invoice``, on rows locked first), so two attempts at once
bill each entry once: the second finds nothing left and returns None.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from facturier.accounts.actor import Actor
from facturier.accounts.models import LegalEntity
from facturier.audit.services import audit_record
from facturier.common.errors import Conflict, ValidationFailed
from facturier.domain.timesheets.rounding import hours_of, rounded_minutes
from facturier.domain.timesheets.valuation import time_value, with_markup
from facturier.invoicing.models import Document
from facturier.invoicing.services import LineData, document_create
from facturier.projects.models import Project
from facturier.timesheets import errors
from facturier.timesheets.models import EntryStatus, Expense, RateRule, TimeEntry
from facturier.timesheets.rates import rate_for, rules_of, settings_of


@dataclass
class TimeGroup:
    task: str
    person: str
    rate: Decimal
    minutes: int = 0  # as worked
    billed_minutes: int = 0  # each entry rounded up
    entries: list[TimeEntry] = field(default_factory=list)

    @property
    def hours(self) -> Decimal:
        return hours_of(self.billed_minutes)

    @property
    def amount(self) -> Decimal:
        return time_value(self.billed_minutes, self.rate)


@dataclass
class ExpenseLine:
    expense: Expense
    markup_percent: Decimal
    amount: Decimal


@dataclass
class ProjectWip:
    project: Project
    groups: list[TimeGroup]
    expenses: list[ExpenseLine]
    unpriced: list[TimeEntry]  # approved billable time the rate card has no rate for

    @property
    def total(self) -> Decimal:
        return sum((g.amount for g in self.groups), Decimal(0)) + sum(
            (e.amount for e in self.expenses), Decimal(0)
        )


def _open(queryset: QuerySet[Any], up_to: dt.date | None) -> QuerySet[Any]:
    queryset = queryset.filter(status=EntryStatus.APPROVED, billable=True, invoice__isnull=True)
    return queryset.filter(date__lte=up_to) if up_to is not None else queryset


def _value(project: Project, entries: list[TimeEntry], expenses: list[Expense], rules: list[RateRule],
           increment: int, default_markup: Decimal) -> ProjectWip:  # fmt: skip
    groups: dict[tuple[str, str, Decimal], TimeGroup] = {}
    unpriced = []
    for entry in entries:
        rule = rate_for(entry, rules)
        if rule is None:
            unpriced.append(entry)
            continue
        person = entry.person.get_full_name() or entry.person.get_username()
        key = (entry.task, person, rule.hourly_rate)
        group = groups.setdefault(key, TimeGroup(task=entry.task, person=person, rate=rule.hourly_rate))
        group.minutes += entry.minutes
        group.billed_minutes += rounded_minutes(entry.minutes, increment)
        group.entries.append(entry)
    lines = []
    for expense in expenses:
        percent = expense.markup_percent if expense.markup_percent is not None else default_markup
        lines.append(ExpenseLine(expense, percent, with_markup(expense.amount, percent)))
    ordered = sorted(groups.values(), key=lambda g: (g.task, g.person, g.rate))
    return ProjectWip(project=project, groups=ordered, expenses=lines, unpriced=unpriced)


def wip_of(
    entity: LegalEntity, *, up_to: dt.date | None = None, project: Project | None = None
) -> list[ProjectWip]:
    """Every project's work in progress (projects with none are left out), by customer then reference."""
    settings = settings_of(entity)
    rules = rules_of(entity)
    times = _open(TimeEntry.objects.filter(entity=entity), up_to).select_related(
        "person", "project__customer"
    )
    spent = _open(Expense.objects.filter(entity=entity), up_to).select_related("person", "project__customer")
    if project is not None:
        times, spent = times.filter(project=project), spent.filter(project=project)
    by_project: dict[Any, tuple[list[TimeEntry], list[Expense]]] = defaultdict(lambda: ([], []))
    projects: dict[Any, Project] = {}
    for entry in times.order_by("date", "created_at"):
        by_project[entry.project_id][0].append(entry)
        projects[entry.project_id] = entry.project
    for expense in spent.order_by("date", "created_at"):
        by_project[expense.project_id][1].append(expense)
        projects[expense.project_id] = expense.project
    result = [_value(projects[pk], entries, expenses, rules, settings.rounding_minutes,
                     settings.expense_markup_percent) for pk, (entries, expenses) in by_project.items()]  # fmt: skip
    return sorted(result, key=lambda w: (w.project.customer.name, w.project.reference))


def _lines(wip: ProjectWip) -> list[LineData]:
    lines = []
    for group in wip.groups:
        label = f"{group.task} — {group.person}" if group.task else group.person
        lines.append(LineData(description=_("%(label)s: %(hours)s h at %(rate)s/h")
                              % {"label": label, "hours": group.hours.normalize(), "rate": group.rate},
                              quantity=group.hours, unit_price=group.rate, unit="HUR"))  # fmt: skip
    for line in wip.expenses:
        expense = line.expense
        text = _("Expense %(date)s, %(category)s") % {
            "date": expense.date,
            "category": expense.get_category_display(),
        }
        if expense.description:
            text = f"{text}: {expense.description}"
        if line.markup_percent:
            text = _("%(text)s (markup %(percent)s %%)") % {
                "text": text,
                "percent": line.markup_percent.normalize(),
            }
        lines.append(
            LineData(description=text[:500], quantity=Decimal(1), unit_price=line.amount, unit="C62")
        )
    return lines


@transaction.atomic
def wip_invoice(*, project: Project, by: Actor, up_to: dt.date | None = None) -> Document | None:
    """A draft invoice of the project's work in progress up to ``up_to`` (included); None when nothing
    is left to invoice (already invoiced, by an earlier or a concurrent attempt)."""
    entity = project.entity
    # Lock what would be billed; a concurrent attempt waits here, then sees these rows invoiced.
    time_ids = list(_open(TimeEntry.objects.select_for_update(of=("self",)).filter(project=project), up_to)
                    .order_by("pk").values_list("pk", flat=True))  # fmt: skip
    expense_ids = list(_open(Expense.objects.select_for_update(of=("self",)).filter(project=project), up_to)
                       .order_by("pk").values_list("pk", flat=True))  # fmt: skip
    if not time_ids and not expense_ids:
        return None
    settings = settings_of(entity)
    entries = list(TimeEntry.objects.filter(pk__in=time_ids).select_related("person", "project__customer")
                   .order_by("date", "created_at"))  # fmt: skip
    expenses = list(Expense.objects.filter(pk__in=expense_ids).order_by("date", "created_at"))
    wip = _value(project, entries, expenses, rules_of(entity), settings.rounding_minutes,
                 settings.expense_markup_percent)  # fmt: skip
    if wip.unpriced:
        raise ValidationFailed(
            _("%(count)s approved entries have no rate on the rate card (first: %(date)s, %(person)s).")
            % {"count": len(wip.unpriced), "date": wip.unpriced[0].date, "person": wip.unpriced[0].person},
            field="rates", code=errors.NO_RATE,
        )  # fmt: skip
    note = _("Project %(reference)s: time and expenses") % {"reference": project.reference}
    if up_to is not None:
        note = _("%(note)s up to %(date)s") % {"note": note, "date": up_to}
    document = document_create(entity=entity, kind="invoice", customer=project.customer, by=by, lines=_lines(wip),
                               currency=project.currency, note=note)  # fmt: skip
    claimed = TimeEntry.objects.filter(pk__in=time_ids, invoice__isnull=True).update(invoice=document)
    claimed += Expense.objects.filter(pk__in=expense_ids, invoice__isnull=True).update(invoice=document)
    if claimed != len(time_ids) + len(expense_ids):  # never on locked rows; a guard, not a path
        raise Conflict(_("Some entries were invoiced meanwhile: try again."), code=errors.NOTHING_TO_INVOICE)
    audit_record(entity=entity, actor=by, action="project.time_invoiced", obj=project,
                 after={"invoice": str(document.pk), "time_entries": len(time_ids), "expenses": len(expense_ids),
                        "net": str(wip.total), "up_to": up_to})  # fmt: skip
    return document
