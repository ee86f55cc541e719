"""The billing page: the company's contracts, the usage of their metered items this period, and the latest
billing runs (read only)."""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from facturier.billing.selectors import billing_runs_of, contracts_of, current_usage
from facturier.invoicing.services.common import entity_today
from facturier.web.access import EntityRequest, staff_view

PAGE_SIZE = 25


@staff_view
def billing_overview(request: EntityRequest) -> HttpResponse:
    page = Paginator(contracts_of(entity=request.entity), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/billing/overview.html",
        {
            "page": page,
            "runs": billing_runs_of(entity=request.entity)[:20],
            "usage": current_usage(entity=request.entity, today=entity_today(request.entity)),
        },
    )
