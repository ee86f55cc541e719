"""Forms of the construction pages: a situation's cumulative progress per line, acceptance, release."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


def DateInput() -> forms.DateInput:  # noqa: N802 - a widget, as Django names them
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SituationForm(forms.Form):
    """One percentage and one quantity field per line of the bill of quantities; a line left empty
    keeps its progress."""

    date = forms.DateField(label=_("Statement date"), widget=DateInput())
    correction = forms.BooleanField(
        label=_("This situation corrects earlier progress (progress may go down)"), required=False
    )

    def __init__(self, *args: Any, rows: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            line = row.line
            self.fields[f"percent_{line.position}"] = forms.DecimalField(
                label=_("%(line)s: cumulative progress (%%)") % {"line": f"{line.position}. {line.description}"},
                required=False, min_value=0, max_digits=9, decimal_places=4,
            )  # fmt: skip
            self.fields[f"quantity_{line.position}"] = forms.DecimalField(
                label=_("%(line)s: or quantity done so far (of %(quantity)s)")
                % {"line": f"{line.position}.", "quantity": line.quantity.normalize()},
                required=False, min_value=0, max_digits=14, decimal_places=4,
            )  # fmt: skip

    def line_fields(self) -> list[tuple[Any, forms.BoundField, forms.BoundField]]:
        return [
            (row, self[f"percent_{row.line.position}"], self[f"quantity_{row.line.position}"])
            for row in self.rows
        ]


class AcceptForm(forms.Form):
    acceptance_date = forms.DateField(
        label=_("Acceptance of the works (date of the report)"), widget=DateInput()
    )


class ReleaseForm(forms.Form):
    early = forms.BooleanField(label=_("Release before the end of the guarantee period"), required=False)
    reason = forms.CharField(label=_("Reason (for an early release)"), required=False, max_length=300)
