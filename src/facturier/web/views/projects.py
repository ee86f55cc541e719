"""Project pages: the list, creating a project, and its page (phases, milestones, progress, acceptance
reports, invoices) whose forms go through the projects services (validated, audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from facturier.accounts.actor import as_actor
from facturier.accounts.roles import Action, role_allows
from facturier.common.errors import BusinessError, NotFound
from facturier.invoicing.services.common import entity_today
from facturier.projects import selectors, services
from facturier.projects.billing import milestone_bill
from facturier.projects.models import Project
from facturier.web.access import EntityRequest, staff_view
from facturier.web.error_messages import explain
from facturier.web.forms.projects import AcceptanceForm, MilestoneForm, ProgressForm, ProjectForm
from facturier.web.forms.summary import error_summary

PAGE_SIZE = 25


def _require(request: EntityRequest, action: Action) -> None:
    if not role_allows(request.role, action):
        raise Http404  # the button is hidden; a forged URL finds nothing


def _project(request: EntityRequest, pk: str) -> Project:
    try:
        return selectors.project_get(entity=request.entity, pk=pk)
    except NotFound:
        raise Http404 from None


@staff_view
def project_list(request: EntityRequest) -> HttpResponse:
    page = Paginator(selectors.projects_of(entity=request.entity), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "web/projects/list.html", {"page": page})


@staff_view
def project_create(request: EntityRequest) -> HttpResponse:
    _require(request, Action.EDIT_DOCUMENTS)
    form = ProjectForm(request.POST or None, entity=request.entity,
                       initial={"start_date": entity_today(request.entity)})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(
                entity=request.entity, by=as_actor(request.user), **form.values()
            )
        except BusinessError as error:
            form.attach(error)
        else:
            messages.success(request, _("Project created."))
            return redirect("web:project-detail", pk=project.pk)
    return render(request, "web/projects/form.html",
                  {"form": form, "problems": error_summary(form) if form.is_bound else []})  # fmt: skip


def _page(request: EntityRequest, project: Project, **forms: Any) -> HttpResponse:
    today = entity_today(request.entity)
    context = {
        "project": project, "overview": selectors.project_overview(project, today), "today": today,
        "milestone_form": forms.get("milestone_form") or MilestoneForm(project=project),
        "progress_form": forms.get("progress_form") or ProgressForm(project=project),
        "acceptance_form": forms.get("acceptance_form") or AcceptanceForm(project=project, initial={"accepted_on": today}),
        "open": next((name for name, form in forms.items() if form is not None), ""),
    }  # fmt: skip
    return render(request, "web/projects/detail.html", context, status=422 if context["open"] else 200)


@staff_view
def project_detail(request: EntityRequest, pk: str) -> HttpResponse:
    return _page(request, _project(request, pk))


def _post(request: EntityRequest, pk: str, form_class: Any, name: str, write: Any, done: str) -> HttpResponse:
    _require(request, Action.EDIT_DOCUMENTS)
    project = _project(request, pk)
    form = form_class(request.POST, project=project)
    if form.is_valid():
        try:
            write(project, as_actor(request.user), form.values())
        except BusinessError as error:
            form.attach(error)
        else:
            messages.success(request, done)
            return redirect("web:project-detail", pk=project.pk)
    return _page(request, project, **{name: form})


@require_POST
@staff_view
def milestone_add(request: EntityRequest, pk: str) -> HttpResponse:
    return _post(request, pk, MilestoneForm, "milestone_form",
                 lambda project, by, values: services.milestone_add(project=project, by=by, **values),
                 _("Milestone added."))  # fmt: skip


@require_POST
@staff_view
def progress_record(request: EntityRequest, pk: str) -> HttpResponse:
    return _post(request, pk, ProgressForm, "progress_form",
                 lambda project, by, values: services.progress_record(project=project, by=by, **values),
                 _("Progress recorded."))  # fmt: skip


@require_POST
@staff_view
def deliverable_accept(request: EntityRequest, pk: str) -> HttpResponse:
    return _post(request, pk, AcceptanceForm, "acceptance_form",
                 lambda project, by, values: services.deliverable_accept(by=by, **values),
                 _("Acceptance report recorded."))  # fmt: skip


def _act(request: EntityRequest, pk: str, action: Action, write: Any, done: str) -> HttpResponse:
    _require(request, action)
    project = _project(request, pk)
    try:
        write(project)
    except NotFound:
        raise Http404 from None
    except BusinessError as error:
        messages.error(request, explain(error))
    else:
        messages.success(request, done)
    return redirect("web:project-detail", pk=project.pk)


@require_POST
@staff_view
def reservations_lift(request: EntityRequest, pk: str, acceptance_pk: str) -> HttpResponse:
    return _act(request, pk, Action.EDIT_DOCUMENTS, lambda project: services.reservations_lift(
        acceptance=selectors.acceptance_get(project=project, pk=acceptance_pk), by=as_actor(request.user)),
        _("Reservations lifted."))  # fmt: skip


@require_POST
@staff_view
def milestone_reached(request: EntityRequest, pk: str, milestone_pk: str) -> HttpResponse:
    return _act(request, pk, Action.EDIT_DOCUMENTS, lambda project: services.milestone_reached(
        milestone=selectors.milestone_get(project=project, pk=milestone_pk), by=as_actor(request.user)),
        _("Milestone marked as reached."))  # fmt: skip


@require_POST
@staff_view
def milestone_bill_now(request: EntityRequest, pk: str, milestone_pk: str) -> HttpResponse:
    return _act(request, pk, Action.ISSUE, lambda project: milestone_bill(
        milestone=selectors.milestone_get(project=project, pk=milestone_pk), by=as_actor(request.user)),
        _("Milestone invoiced."))  # fmt: skip
