"""Reads of projects (tenant-scoped): the list, one project, and its page's overview."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from facturier.common.errors import NotFound
from facturier.invoicing.models import Document
from facturier.projects.billing import milestone_net
from facturier.projects.models import Acceptance, Milestone, ProgressReport, Project
from facturier.projects.triggers import is_reached


def projects_of(*, entity: Any) -> QuerySet[Project]:
    return Project.objects.filter(entity=entity).select_related("customer").order_by("reference")


def project_get(*, entity: Any, pk: Any) -> Project:
    try:
        project: Project = projects_of(entity=entity).get(pk=pk)
    except (Project.DoesNotExist, ValueError):
        raise NotFound(_("Unknown project."), field="project") from None
    return project


def milestone_get(*, project: Project, pk: Any) -> Milestone:
    try:
        milestone: Milestone = project.milestones.select_related("project", "entity").get(pk=pk)
    except (Milestone.DoesNotExist, ValueError):
        raise NotFound(_("Unknown milestone."), field="milestone") from None
    return milestone


def acceptance_get(*, project: Project, pk: Any) -> Acceptance:
    try:
        return Acceptance.objects.select_related("milestone").get(pk=pk, milestone__project=project)
    except (Acceptance.DoesNotExist, ValueError):
        raise NotFound(_("Unknown acceptance."), field="acceptance") from None


@dataclass(frozen=True)
class MilestoneRow:
    milestone: Milestone
    net: Decimal
    reached: bool
    billable: bool  # reached and not invoiced: the "bill now" button


@dataclass(frozen=True)
class ProjectOverview:
    project: Project
    milestones: list[MilestoneRow]
    acceptances: list[Acceptance]
    progress_reports: list[ProgressReport]
    invoices: list[Document]
    billed: Decimal  # 380 invoices, excluding VAT
    deposits: Decimal  # 386 invoices, excluding VAT


def project_overview(project: Project, day: dt.date) -> ProjectOverview:
    """What the project page shows at ``day`` (today in the entity's time zone)."""
    milestones = list(
        project.milestones.select_related("phase", "invoice").order_by("position", "created_at")
    )
    rows = []
    for milestone in milestones:
        reached = is_reached(milestone, day)
        rows.append(MilestoneRow(milestone, milestone_net(milestone), reached,
                                 reached and milestone.invoice_id is None))  # fmt: skip
    invoices = [m.invoice for m in milestones if m.invoice is not None]
    return ProjectOverview(
        project=project, milestones=rows,
        acceptances=list(Acceptance.objects.filter(milestone__project=project).select_related("milestone")),
        progress_reports=list(project.progress_reports.select_related("phase")[:20]),
        invoices=invoices,
        billed=sum((d.tax_exclusive for d in invoices if d.type_code != "386"), Decimal(0)),
        deposits=sum((d.tax_exclusive for d in invoices if d.type_code == "386"), Decimal(0)),
    )  # fmt: skip
