"""Form fields of the staff UI that speak the reader's language: numbers as they write them, and
customers or products found by searching rather than by typing a code.

`LocalizedDecimalField` is the one place typed numbers are read (through `web.numbers`); the
picker is a search box backed by a small JSON endpoint (`web:lookup`), with a hidden input holding
the chosen row's id, so the form still posts an id. Without JavaScript the search text is resolved
on the server when it names exactly one row (its code, SIREN, reference or full name).
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Model, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from facturier.web.numbers import NumberInputError, format_number, parse_number


class LocalizedNumberInput(forms.TextInput):
    """A text box (not `type=number`, which refuses `1 234,56`) showing the value as the reader writes it."""

    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None, *, places: int | None = None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", "class": "num", **(attrs or {})})
        self.places = places  # an amount shows exactly its decimals ("3 845,61", "150 000,00")

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, Decimal | int):
            return format_number(value, places=self.places)
        typed: str | None = super().format_value(value)
        return typed  # what was typed comes back as typed, errors and all


class LocalizedDecimalField(forms.DecimalField):
    """A Decimal typed as `1 234,56` / `1234,56` / `1 234.56` in French, `1,234.56` in English.

    `amount=True` shows the value with exactly `decimal_places` decimals (a payment, a capital);
    otherwise it shows the digits it has, as a quantity or a rate is written.
    """

    widget = LocalizedNumberInput
    default_error_messages = {
        "invalid": _("“%(value)s” is not a number: write it like %(example)s."),
        "ambiguous": _(
            "“%(value)s” can be read two ways: write %(grouped)s for thousands or %(decimal)s for decimals."
        ),
    }

    def __init__(self, *, amount: bool = False, **kwargs: Any):
        if amount:
            kwargs.setdefault("widget", LocalizedNumberInput(places=kwargs.get("decimal_places")))
        super().__init__(**kwargs)

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return self.to_python(data) != (None if initial in self.empty_values else Decimal(str(initial)))
        except (ValidationError, InvalidOperation):
            return True

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        text = str(value)
        try:
            return parse_number(text)
        except NumberInputError as error:
            if error.ambiguous:  # "1.234": show both readings as this reader writes them
                whole, _mark, part = text.strip().replace(",", ".").partition(".")
                raise ValidationError(
                    self.error_messages["ambiguous"], code="ambiguous",
                    params={"value": text, "grouped": format_number(Decimal(whole + part)),
                            "decimal": format_number(Decimal(f"{whole}.{part}"))},
                ) from error  # fmt: skip
            raise ValidationError(
                self.error_messages["invalid"], code="invalid",
                params={"value": text, "example": format_number(Decimal("1234.56"))},
            ) from error  # fmt: skip

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        # no `step`/`min`/`max`: they belong to `type=number`, and the service checks the range
        return {}


@dataclass(frozen=True)
class Picked:
    """What a picker shows: the chosen row's id (posted, hidden) and its label (in the search box)."""

    id: str
    label: str

    def __str__(self) -> str:
        return self.id  # what the form compares to tell whether the choice changed


class PickerWidget(forms.Widget):
    """A search box with suggestions (web/static/web/picker.js) and a hidden input holding the id."""

    template_name = "web/includes/picker.html"

    def __init__(self, source: str = "", attrs: dict[str, Any] | None = None):
        super().__init__(attrs)
        self.source = source

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        picked = value if isinstance(value, Picked) else Picked("", "" if value is None else str(value))
        context["widget"].update(
            picked=picked, search_name=f"{name}__search", source=reverse("web:lookup", args=[self.source])
        )
        return context

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        chosen = data.get(name)
        return chosen if chosen else (data.get(f"{name}__search") or "").strip() or None

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and f"{name}__search" not in data


class PickerField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A row of `queryset` chosen by its id, or by search text that names exactly one row."""

    default_error_messages = {
        "invalid_choice": _("Nothing matches “%(value)s”: type part of the name and pick a suggestion."),
        "several": _("Several match “%(value)s”: type more of the name and pick a suggestion."),
    }

    def __init__(self, *, source: str, exact_fields: tuple[str, ...], **kwargs: Any):
        self.exact_fields = exact_fields
        super().__init__(widget=PickerWidget(source), **kwargs)

    def prepare_value(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        if isinstance(value, Picked):
            return value
        try:
            row = value if isinstance(value, Model) else self.queryset.get(pk=value)  # type: ignore[union-attr]
        except (ValueError, TypeError, ValidationError, ObjectDoesNotExist):
            return Picked("", str(value))  # typed text, shown back with its error
        return Picked(str(row.pk), self.label_from_instance(row))

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        try:
            return super().to_python(value)
        except ValidationError:
            pass
        text = str(value).strip()
        query = Q()
        for name in self.exact_fields:
            query |= Q(**{f"{name}__iexact": text})
        matches = list(self.queryset.filter(query)[:2])  # type: ignore[union-attr]
        if len(matches) == 1:
            return matches[0]
        code = "several" if matches else "invalid_choice"
        raise ValidationError(self.error_messages[code], code=code, params={"value": text})
