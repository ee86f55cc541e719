"""The watched folder: statement files dropped in `statements/inbox/<company>/` are imported by the worker.

`<company>` is the company's SIREN or the slug of its name (`atelier-dupont-sas`). Each file is imported
into that company, then moved to `statements/done/<company>/` or, refused, to `statements/failed/<company>/`
with a `<file>.error.txt` beside it saying why. Safe to run twice: a file imported but not yet moved (a
crash in between) is recognised by its SHA-256 on the next run and only moved. Files whose name starts with
a dot or ends with `.part`/`.tmp` are being written: they wait (copy then rename into the folder).
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.text import slugify

from facturier.accounts.actor import SYSTEM
from facturier.accounts.models import LegalEntity
from facturier.banking.models import Channel
from facturier.banking.reconciliation import reconcile_after_import
from facturier.banking.services import (
    StatementFileTooLarge,
    max_statement_bytes,
    statement_import,
    statement_import_failed,
)
from facturier.common.errors import BusinessError

logger = logging.getLogger(__name__)
PENDING_SUFFIXES = (".part", ".tmp", ".error.txt")


@dataclass
class FolderSummary:
    imported: int = 0
    already: int = 0
    failed: int = 0
    new_lines: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {"imported": self.imported, "already": self.already, "failed": self.failed,
                "new_lines": self.new_lines}  # fmt: skip


def statements_dir() -> Path:
    configured = getattr(settings, "FACTURIER_STATEMENTS_DIR", None)
    return Path(configured) if configured else Path(settings.DATA_DIR) / "statements"


def folder_name(entity: LegalEntity) -> str:
    """The folder of a company under `inbox/`: its SIREN, or the slug of its name."""
    return entity.siren or slugify(entity.name)


def _entities_by_folder() -> dict[str, LegalEntity]:
    known: dict[str, LegalEntity] = {}
    for entity in LegalEntity.objects.all():
        known.setdefault(slugify(entity.name), entity)
        if entity.siren:
            known[entity.siren] = entity
    return known


def pending_files(root: Path | None = None) -> list[Path]:
    """The files waiting in `inbox/<company>/`, oldest folder and name first."""
    inbox = (root or statements_dir()) / "inbox"
    if not inbox.is_dir():
        return []
    files = []
    for folder in sorted(path for path in inbox.iterdir() if path.is_dir()):
        files += sorted(
            path for path in folder.iterdir()
            if path.is_file() and not path.is_symlink() and not path.name.startswith(".") and not path.name.endswith(PENDING_SUFFIXES)
        )  # fmt: skip
    return files


def _move(path: Path, destination: Path) -> Path:
    destination.mkdir(parents=True, exist_ok=True)
    target = destination / path.name
    if target.exists():  # the same name dropped again: keep both
        stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
        target = destination / f"{path.stem}.{stamp}{path.suffix}"
        counter = 1
        while target.exists():
            counter += 1
            target = destination / f"{path.stem}.{stamp}-{counter}{path.suffix}"
    shutil.move(str(path), target)
    return target


def import_file(path: Path, *, root: Path, entities: dict[str, LegalEntity], summary: FolderSummary) -> None:
    """Import one dropped file and move it to done/ or failed/ (idempotent: see the module's doc)."""
    company = path.parent.name
    entity = entities.get(company)
    if entity is None:
        logger.warning("watched folder %s names no company: %s left in place", company, path.name)
        summary.errors.append(f"{company}/{path.name}: no company '{company}'")
        return
    try:
        if path.stat().st_size > max_statement_bytes():  # refused without reading it into memory
            raise StatementFileTooLarge(
                f"The file is {path.stat().st_size} bytes, over the {max_statement_bytes()} bytes limit."
            )
        content = path.read_bytes()
        result = statement_import(
            entity=entity, by=SYSTEM, filename=path.name, content=content, channel=Channel.FOLDER
        )
    except BusinessError as error:
        content = b"" if isinstance(error, StatementFileTooLarge) else path.read_bytes()
        statement_import_failed(entity=entity, by=SYSTEM, filename=path.name, content=content,
                                error=f"{error.message} [{error.code}]", channel=Channel.FOLDER)  # fmt: skip
        moved = _move(path, root / "failed" / company)
        moved.with_name(moved.name + ".error.txt").write_text(
            f"{error.message} [{error.code}]\n", encoding="utf-8"
        )
        summary.failed += 1
        summary.errors.append(f"{company}/{path.name}: {error.message}")
        return
    _move(path, root / "done" / company)
    reconcile_after_import(entity, new_lines=result.new_lines)
    summary.already += result.already_imported
    summary.imported += not result.already_imported
    summary.new_lines += result.new_lines


def import_watched(
    *,
    root: Path | None = None,
    run_chunks: Callable[[list[str], Callable[[str], None]], object] | None = None,
) -> FolderSummary:
    """Import every file waiting in the watched folder; `run_chunks` makes each file a chunk of a job run."""
    root = root or statements_dir()
    summary = FolderSummary()
    files = {str(path.relative_to(root)): path for path in pending_files(root)}
    if not files:
        return summary
    entities = _entities_by_folder()

    def handle(key: str) -> None:
        path = files[key]
        if path.exists():  # a resumed run: already moved
            import_file(path, root=root, entities=entities, summary=summary)

    if run_chunks is None:
        for key in files:
            handle(key)
    else:
        run_chunks(list(files), handle)
    return summary
