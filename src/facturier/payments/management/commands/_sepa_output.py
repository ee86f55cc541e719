"""What the SEPA commands share beyond `common.commands`: the file written to `--out`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError


def write_out(command: BaseCommand, sepa_file: Any, out: str | None) -> None:
    """Write the generated file's exact bytes to `out`, when asked."""
    if not out:
        return
    try:
        Path(out).write_bytes(bytes(sepa_file.content))
    except OSError as error:
        raise CommandError(f"--out: cannot write {out} ({error.strerror})", returncode=1) from error
    command.stdout.write(f"written to {out}")
