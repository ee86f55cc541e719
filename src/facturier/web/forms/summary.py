"""The error summary shown at the top of a form that failed to save (web/includes/error_summary.html).

A user who cannot see the whole page (a screen reader, 200 % zoom, a phone) must learn at once that the
save failed, what is wrong and where: the summary gets the focus, says how many problems there are and
links each one to its field. Errors of editor rows name the row ("Line 2 — Quantity: …").
"""

from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Problem:
    """One error: its text and the id of the field it is about ("" when it is about the whole form)."""

    text: str
    target: str = ""


def _first_field_id(form: forms.BaseForm) -> str:
    for bound in form:
        if not bound.is_hidden and bound.auto_id:
            return str(bound.id_for_label or bound.auto_id)
    return ""


def form_problems(form: forms.BaseForm, *, row: str = "") -> list[Problem]:
    """The errors of one form, in the order of its fields; `row` names an editor row ("Line 2")."""
    prefix = f"{row} — " if row else ""
    problems = [
        Problem(f"{prefix}{error}", _first_field_id(form) if row else "") for error in form.non_field_errors()
    ]
    for bound in form:
        for error in bound.errors:
            text = _("%(label)s: %(error)s") % {"label": bound.label, "error": error}
            problems.append(Problem(f"{prefix}{text}", str(bound.id_for_label or bound.auto_id or "")))
    return problems


def formset_problems(formset: forms.BaseFormSet, *, row_label: str) -> list[Problem]:  # type: ignore[type-arg]
    """The errors of a formset's rows still shown (not removed), numbered as the user sees them.

    `row_label` has a `%(number)s` placeholder ("Line %(number)s").
    """
    problems = [Problem(str(error), _first_field_id(formset.forms[0]) if formset.forms else "")
                for error in formset.non_form_errors()]  # fmt: skip
    number = 0
    for form in formset.forms:
        if getattr(form, "cleaned_data", {}).get("DELETE", False):
            continue  # removed in the page: not shown, not counted
        number += 1
        problems.extend(form_problems(form, row=row_label % {"number": number}))
    return problems


def error_summary(*parts: Any) -> list[Problem]:
    """Problems of forms and of (formset, row label) pairs, in page order."""
    problems: list[Problem] = []
    for part in parts:
        if isinstance(part, tuple):
            problems.extend(formset_problems(part[0], row_label=part[1]))
        else:
            problems.extend(form_problems(part))
    return problems
