"""The billing source ``time``: billing runs invoice approved work in progress, monthly per project.

At a run dated D, every project's approved, billable, uninvoiced time and expenses dated before the
1st of D's month (the company's calendar: D is already a date in its time zone) go on one draft
invoice per project. A run on 1 April bills March and anything older still open; a second run in April
finds nothing left (each entry is claimed by the invoice that bills it), and entries of April wait for
May's run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy

from facturier.billing.sources import PendingBill
from facturier.projects.models import Project
from facturier.timesheets.wip import wip_invoice, wip_of

if TYPE_CHECKING:
    from facturier.accounts.actor import Actor
    from facturier.accounts.models import LegalEntity
    from facturier.invoicing.models import Document


def cutoff(day: dt.date) -> dt.date:
    """The last day billed by a run at ``day``: the end of the previous month."""
    return day.replace(day=1) - dt.timedelta(days=1)


class TimeSource:
    key = "time"
    label: str = gettext_lazy("Time and expenses")  # type: ignore[assignment]

    def pending(self, entity: LegalEntity, day: dt.date) -> Iterable[PendingBill]:
        last = cutoff(day)
        for wip in wip_of(entity, up_to=last):
            project = wip.project
            yield PendingBill(
                source=self.key, key=f"{project.pk}:{last.isoformat()}", customer=project.customer.name,
                description=f"{project.reference} — {project.name}", net_amount=wip.total,
                currency=project.currency, payload={"project": str(project.pk), "up_to": last.isoformat()},
            )  # fmt: skip

    def bill(self, pending: PendingBill, *, day: dt.date, by: Actor) -> Document | None:
        project = Project.objects.select_related("entity", "customer").get(pk=pending.payload["project"])
        return wip_invoice(project=project, by=by, up_to=dt.date.fromisoformat(pending.payload["up_to"]))
