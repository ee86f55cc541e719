"""Reads of contracts and billing runs (tenant-scoped)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from facturier.billing.models import BillingRun, Contract


def contracts_of(*, entity: Any) -> QuerySet[Contract]:
    return (
        Contract.objects.for_entity(entity)
        .select_related("customer")
        .annotate(item_count=Count("items"))
        .order_by("reference")
    )


def billing_runs_of(*, entity: Any) -> QuerySet[BillingRun]:
    return BillingRun.objects.for_entity(entity).order_by("-created_at")
