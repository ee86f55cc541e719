"""What the SEPA commands share: their `--date`, a refused request as the command's error, the file
written to `--out`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

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


def write_out(command: BaseCommand, sepa_file: Any, out: str | None) -> None:
    """Write the generated file's exact bytes to `out`, when asked."""
    if not out:
        return
    try:
        Path(out).write_bytes(bytes(sepa_file.content))
    except OSError as error:
        raise CommandError(f"--out: cannot write {out} ({error.strerror})", returncode=1) from error
    command.stdout.write(f"written to {out}")
