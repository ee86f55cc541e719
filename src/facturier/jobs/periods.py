"""Which period of a schedule ``now`` falls in: the instant that keys its one firing.

An interval counts real seconds from the anchor (every 15 minutes stays 15 minutes across a DST
change). A recurrence rule counts wall-clock time in the schedule's time zone (the entity's, else
the installation's): "every day at 02:30" is 02:30 in Paris, summer and winter. On the autumn night
02:30 happens twice and keys one period (the first); on the spring night 02:30 does not exist and
its period fires at the first instant after the gap. Either way, once.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr


class CadenceError(ValueError):
    """The schedule's recurrence rule cannot be read."""


def parse_rule(text: str, *, anchor_local: dt.datetime) -> rrule:
    try:
        rule = rrulestr(text, dtstart=anchor_local)
    except (ValueError, TypeError) as exc:
        raise CadenceError(f"invalid recurrence rule {text!r}: {exc}") from exc
    if not isinstance(rule, rrule):
        raise CadenceError(f"one RRULE expected, not a set: {text!r}")
    return rule


def current_period(
    *,
    now: dt.datetime,
    anchor: dt.datetime,
    tz: ZoneInfo,
    rule: str = "",
    interval: dt.timedelta | None = None,
) -> dt.datetime | None:
    """The start (UTC) of the period containing ``now``, or None before the first one."""
    if now < anchor and not rule:
        return None
    if not rule:
        if interval is None or interval <= dt.timedelta(0):
            raise CadenceError("a schedule needs a recurrence rule or a positive interval")
        count = (now - anchor) // interval
        return (anchor + count * interval).astimezone(dt.UTC)
    anchor_local = anchor.astimezone(tz).replace(tzinfo=None)
    now_local = now.astimezone(tz).replace(tzinfo=None)
    occurrence: dt.datetime | None = parse_rule(rule, anchor_local=anchor_local).before(now_local, inc=True)
    if occurrence is None:
        return None
    return occurrence.replace(tzinfo=tz).astimezone(dt.UTC)
