"""Issuing the drafts of a batch of contracts together (a billing run's transaction of several chunks).

A worker bills a batch of contracts in one transaction (`billing.execution.RunBiller.handle_many`): each
contract's claims and drafts in its own savepoint, the drafts to issue kept aside (`runs.Deferred`). At
the end of the batch they are issued by series with `invoice_issue_many`: the series is locked once and
every number taken by one counter update, instead of one lock round per invoice. Numbers stay gapless and
chronological: the drafts of one series are issued in the order they were made, all on one date
(`runs._issue_date`, read once per series), and the batch commits (or rolls back) as a whole.

One invalid draft refuses its whole group (`invoice_issue_many` rolls its chunk back): then the group's
savepoint is rolled back and its drafts are issued one by one as before (`runs._issue`), so the bad one is
kept as a draft and reported (`issue_failed`) and the others are issued.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction

from facturier.accounts.actor import Actor
from facturier.billing import errors
from facturier.billing.runs import Deferred, _error, _error_fields, _issue, _issue_date
from facturier.common.errors import BusinessError
from facturier.invoicing.models import TypeCode
from facturier.invoicing.services import invoice_issue_many

logger = logging.getLogger(__name__)


def _group(item: Deferred) -> tuple[Any, str, dt.date | None]:
    code = "credit_note" if item.document.type_code == TypeCode.CREDIT_NOTE else "invoice"
    return item.document.entity_id, code, item.day


def issue_together(later: list[Deferred], by: Actor) -> None:
    """Issue the kept drafts, one `invoice_issue_many` per (company, series, run date), each in the order
    they were kept; each issued number goes to its chunk's results, as `_issue` would have put it. The
    groups go in one order (credit notes before invoices, as a contract issues them), so two workers lock
    their series in the same order and never wait for each other crosswise."""
    groups: dict[tuple[Any, str, dt.date | None], list[Deferred]] = {}
    for item in later:
        groups.setdefault(_group(item), []).append(item)
    for group in sorted(groups, key=lambda key: (str(key[0]), key[1], str(key[2]))):
        _issue_group(groups[group], by)


def _issue_group(items: list[Deferred], by: Actor) -> None:
    documents = [item.document for item in items]
    try:
        with transaction.atomic():
            issued = invoice_issue_many(
                invoices=documents, by=by, issue_date=_issue_date(documents[0], items[0].day),
                chunk_size=len(documents),
            )  # fmt: skip
    except Exception as error:  # one draft refused (or a database error): each on its own, as before
        if not isinstance(error, BusinessError):
            logger.warning(
                "issuing %d drafts together failed, issuing them one by one", len(items), exc_info=True
            )
        for item in items:
            _issue_alone(item, by)
        return
    for item, document in zip(items, issued, strict=True):
        item.done[item.key].append(document.number)


def _issue_alone(item: Deferred, by: Actor) -> None:
    """`_issue` (a business error keeps the draft and reports it); any other error too, logged: the draft
    and its claim stay, reported `issue_failed`, and the rest of the batch goes on."""
    try:
        with transaction.atomic():
            _issue(item.contract, item.document, by, item.done, item.key, item.origin, item.day)
    except Exception as error:
        logger.exception("issuing draft %s failed", item.document.pk)
        found = _error(item.contract, error) if item.contract is not None else {
            **_error_fields(error), **(item.origin or {})}  # fmt: skip
        item.done["drafts"].append(str(item.document.pk))
        item.done["errors"].append({**found, "code": errors.ISSUE_FAILED, "draft": str(item.document.pk)})
