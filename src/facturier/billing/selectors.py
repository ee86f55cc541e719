"""Reads of contracts and billing runs (tenant-scoped)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from facturier.billing.models import BillingRun, Contract


def contracts_of(*, entity: Any) -> QuerySet[Contract]:
    contracts: QuerySet[Contract] = (
        Contract.objects.filter(entity=entity)
        .select_related("customer")
        .annotate(item_count=Count("items"))
        .order_by("reference")
    )
    return contracts


def billing_runs_of(*, entity: Any) -> QuerySet[BillingRun]:
    return BillingRun.objects.filter(entity=entity).order_by("-created_at")
