"""CSV import of time entries (``facturier import-time FILE --entity E``): all or nothing, idempotent.

Columns (header required, comma or semicolon, UTF-8): ``date`` (YYYY-MM-DD), ``project`` (its
reference), ``person`` (username or email of a member), ``hours`` (1.5 or 1,5) or ``minutes``, and
optionally ``task``, ``role``, ``description``, ``billable`` (yes/no, oui/non, true/false, 1/0; default
yes). Imported entries are submitted for approval.

Idempotent by a natural key: the SHA-256 of a row's normalised values plus its occurrence among
identical rows of the file. Importing the same file again, or a later export that repeats its rows,
creates nothing twice. A file with any bad row is refused whole, each problem named with its line.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from facturier.accounts.actor import Actor
from facturier.accounts.models import LegalEntity
from facturier.common.errors import ValidationFailed
from facturier.domain.timesheets.rounding import InvalidDuration, minutes_from_hours
from facturier.projects.models import Project
from facturier.timesheets import errors
from facturier.timesheets.models import TimeEntry
from facturier.timesheets.services import MAX_MINUTES_PER_ENTRY, entry_submit, time_entry_create

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_FIELD = 500
MAX_ERRORS = 50
KNOWN = frozenset(
    {"date", "project", "person", "hours", "minutes", "task", "role", "description", "billable"}
)
TRUE, FALSE = (
    frozenset({"", "yes", "oui", "true", "1", "y", "o"}),
    frozenset({"no", "non", "false", "0", "n"}),
)


@dataclass
class ImportResult:
    created: int = 0
    skipped: int = 0  # rows already imported
    entries: list[TimeEntry] = field(default_factory=list)


class CsvRefused(ValidationFailed):
    """The file is refused whole; ``problems`` lists (line, message)."""

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        shown = "; ".join(_("line %(line)s: %(message)s") % {"line": line, "message": message}
                          for line, message in problems[:MAX_ERRORS])  # fmt: skip
        super().__init__(_("The file was not imported: %(problems)s") % {"problems": shown}, field="file",
                         code=errors.INVALID_CSV)  # fmt: skip
        self.problems = problems


@dataclass(frozen=True)
class _Row:
    line: int
    date: dt.date
    project: Project
    person: Any
    minutes: int
    task: str
    role: str
    description: str
    billable: bool

    def natural(self) -> str:
        values = (self.date.isoformat(), self.project.reference, str(self.person.pk), str(self.minutes),
                  self.task, self.role, self.description, "1" if self.billable else "0")  # fmt: skip
        return hashlib.sha256("\x1f".join(values).encode()).hexdigest()


def _text(content: bytes) -> str:
    if len(content) > MAX_BYTES:
        raise CsvRefused(
            [(0, _("the file is larger than %(size)s MB") % {"size": MAX_BYTES // 1024 // 1024})]
        )
    if b"\x00" in content:
        raise CsvRefused([(0, _("the file contains NUL bytes: it is not a text CSV file"))])
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise CsvRefused([(line, _("the file is not UTF-8 text"))]) from None


def _duration(record: dict[str, str]) -> int:
    hours, minutes = record.get("hours", "").strip(), record.get("minutes", "").strip()
    if bool(hours) == bool(minutes):
        raise ValueError(_("give either hours or minutes"))
    try:
        value = minutes_from_hours(Decimal(hours.replace(",", "."))) if hours else int(minutes)
    except (InvalidOperation, InvalidDuration, ValueError):
        raise ValueError(_("the duration is not a number of hours or minutes")) from None
    if not 0 < value <= MAX_MINUTES_PER_ENTRY:
        raise ValueError(_("a time entry lasts between 1 minute and 24 hours"))
    return value


def _parse(entity: LegalEntity, text: str) -> list[_Row]:
    sample = text.split("\n", 1)[0]
    reader = csv.DictReader(
        io.StringIO(text), delimiter=";" if sample.count(";") > sample.count(",") else ","
    )
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    missing = {"date", "project", "person"} - set(header)
    if missing or not ({"hours", "minutes"} & set(header)):
        raise CsvRefused([(1, _("the header needs date, project, person and hours or minutes; found: %(found)s")
                           % {"found": ", ".join(header)[:200]})])  # fmt: skip
    if unknown := set(header) - KNOWN:
        raise CsvRefused(
            [(1, _("unknown columns: %(columns)s") % {"columns": ", ".join(sorted(unknown))[:200]})]
        )
    reader.fieldnames = header
    projects = {p.reference: p for p in Project.objects.filter(entity=entity).select_related("customer")}
    members = get_user_model().objects.filter(memberships__entity=entity)
    people: dict[str, Any] = {}
    rows: list[_Row] = []
    problems: list[tuple[int, str]] = []
    try:
        for record in reader:
            line = reader.line_num
            if len(rows) + len(problems) >= MAX_ROWS:
                raise CsvRefused([(line, _("more than %(count)s rows") % {"count": MAX_ROWS})])
            try:
                rows.append(_row(record, line, projects, members, people))
            except ValueError as error:
                problems.append((line, str(error)))
    except csv.Error as error:
        raise CsvRefused(
            [*problems, (reader.line_num, _("unreadable CSV: %(reason)s") % {"reason": error})]
        ) from None
    if problems:
        raise CsvRefused(problems)
    return rows


def _row(
    record: dict[str, Any], line: int, projects: dict[str, Project], members: Any, people: dict[str, Any]
) -> _Row:
    if None in record or any(v is None for v in record.values()):
        raise ValueError(_("the row does not have as many fields as the header"))
    values = {key: value.strip() for key, value in record.items()}
    if any(len(value) > MAX_FIELD for value in values.values()):
        raise ValueError(_("a field is longer than %(count)s characters") % {"count": MAX_FIELD})
    try:
        day = dt.date.fromisoformat(values["date"])
    except ValueError:
        raise ValueError(_("the date %(value)r is not YYYY-MM-DD") % {"value": values["date"][:20]}) from None
    project = projects.get(values["project"])
    if project is None:
        raise ValueError(_("unknown project %(value)r") % {"value": values["project"][:50]})
    name = values["person"].lower()
    if name not in people:
        people[name] = (
            members.filter(Q(username__iexact=name) | Q(email__iexact=name)).first() if name else None
        )
    if people[name] is None:
        raise ValueError(_("%(value)r is not a member of this company") % {"value": values["person"][:50]})
    billable = values.get("billable", "").lower()
    if billable not in TRUE | FALSE:
        raise ValueError(_("billable is yes or no, not %(value)r") % {"value": billable[:20]})
    return _Row(line=line, date=day, project=project, person=people[name], minutes=_duration(values),
                task=values.get("task", "")[:100], role=values.get("role", "")[:100],
                description=values.get("description", ""), billable=billable in TRUE)  # fmt: skip


@transaction.atomic
def time_import(*, entity: LegalEntity, content: bytes, by: Actor) -> ImportResult:
    """Import every row of ``content`` not imported before; refuses the whole file on any bad row."""
    rows = _parse(entity, _text(content))
    seen: Counter[str] = Counter()
    keyed = []
    for row in rows:
        natural = row.natural()
        seen[natural] += 1
        keyed.append((f"{natural}#{seen[natural]}", row))
    existing = set(TimeEntry.objects.filter(entity=entity, import_key__in=[k for k, _row in keyed])
                   .values_list("import_key", flat=True))  # fmt: skip
    result = ImportResult()
    for key, row in keyed:
        if key in existing:
            result.skipped += 1
            continue
        entry = time_entry_create(entity=entity, project=row.project, person=row.person, by=by, date=row.date,
                                  minutes=row.minutes, task=row.task, role=row.role, description=row.description,
                                  billable=row.billable, import_key=key)  # fmt: skip
        result.entries.append(entry_submit(entry=entry, by=by))  # type: ignore[arg-type]
        result.created += 1
    return result
