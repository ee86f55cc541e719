"""The jobs page: schedules and the latest job runs with their progress (company administrators)."""

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render

from facturier.accounts.roles import Action, role_allows
from facturier.jobs.selectors import job_runs_visible_to, schedules_visible_to
from facturier.web.access import EntityRequest, staff_view

PAGE_SIZE = 25


@staff_view
def job_list(request: EntityRequest) -> HttpResponse:
    if not role_allows(request.role, Action.MANAGE_ENTITY):
        raise Http404
    page = Paginator(job_runs_visible_to(entity=request.entity), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/jobs/list.html",
        {"page": page, "schedules": schedules_visible_to(entity=request.entity)},
    )
