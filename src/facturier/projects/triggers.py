"""When a milestone is reached: the one rule `pending`, the project page and the services share.

A date milestone is reached on its due date, a date in the entity's calendar (the run's ``day`` or the
entity's today, never the server's: at 23:30 UTC on 28 February, 1 March is already today in Paris).
Progress and acceptance milestones are reached when the service that records the progress or the
acceptance says so (`reached_on`), as is any milestone someone marks reached by hand.
"""

from __future__ import annotations

import datetime as dt

from facturier.projects.models import Milestone, Trigger


def is_reached(milestone: Milestone, day: dt.date) -> bool:
    if milestone.reached_on is not None and milestone.reached_on <= day:
        return True
    return milestone.trigger == Trigger.DATE and milestone.due_date is not None and milestone.due_date <= day
