"""Every audited action of the code has a registered, documented event type."""

import re
from pathlib import Path

from facturier.jobs.events import ACTION_SUBJECTS, EVENT_TYPES

SRC = Path(__file__).resolve().parents[2] / "src" / "facturier"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "events.md"
KINDS_OF_DOCUMENTS = ("quote", "order", "invoice", "credit_note")


def _audited_actions() -> set[str]:
    """The literal ``action="x.y"`` of the services (f-strings over a document kind are expanded)."""
    found = set()
    for path in SRC.rglob("*.py"):
        text = path.read_text()
        found |= set(re.findall(r'action="([a-z_]+\.[a-z_]+)"', text))
        found |= set(re.findall(r'"(invoice\.[a-z_]+)"\)', text))  # _transition(..., "invoice.sent")
        found |= set(re.findall(r'"(inbox\.[a-z]+ed)"', text))  # _DECISIONS
    return found


def test_every_audited_action_maps_to_a_registered_event_type():
    subjects = ACTION_SUBJECTS
    missing = []
    for action in _audited_actions():
        obj, verb = action.split(".", 1)
        names = (
            [f"{kind}.{verb}" for kind in KINDS_OF_DOCUMENTS]
            if obj == "invoice"
            else [f"{subjects.get(obj, obj)}.{verb}"]
        )
        if not any(name in EVENT_TYPES for name in names):
            missing.append(action)
    assert missing == []


def test_every_event_type_is_documented():
    text = DOCS.read_text()
    assert [name for name in EVENT_TYPES if f"`{name}`" not in text] == []
