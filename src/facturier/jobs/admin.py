"""Schedules are edited by the installation's superusers (enable, cadence); runs and events are read only.

Connector credentials are not shown at all: they are set with ``facturier credentials set``.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from facturier.jobs.models import JobRun, OutboxEvent, Schedule


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin[Schedule]):
    list_display = ("name", "task", "rrule", "interval_seconds", "entity", "enabled", "last_period")
    list_filter = ("enabled",)
    readonly_fields = ("last_period",)


class _ReadOnly(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(JobRun)
class JobRunAdmin(_ReadOnly):
    list_display = ("key", "status", "done", "total", "attempts", "created_at", "finished_at")
    list_filter = ("status",)
    search_fields = ("key",)


@admin.register(OutboxEvent)
class OutboxEventAdmin(_ReadOnly):
    list_display = ("position", "type", "subject_type", "subject_id", "entity", "occurred_at")
    list_filter = ("type",)
