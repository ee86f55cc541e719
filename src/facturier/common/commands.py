"""What the management commands share: a `--date` option read as a date, a service's refusal as the
command's error (a stable code, a non-zero exit)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import CommandError

from facturier.common.errors import BusinessError


def date_option(value: str) -> dt.date:
    """The `--date` value as a date, or the command's error naming the option."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--date: {value!r} is not a date (YYYY-MM-DD)") from error


def refused(error: BusinessError) -> CommandError:
    """The service's refusal, with its stable code, as a non-zero exit."""
    return CommandError(f"{error.message} [{getattr(error, 'code', 'error')}]", returncode=1)
