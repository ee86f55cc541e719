"""Company settings forms. They shape the input only: `entity_update`, `numbering_series_update` and
`membership_change` validate it (identifiers, time zone, colour, logo, patterns), and their errors come
back onto the field they name."""

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from facturier.accounts.models import LegalEntity
from facturier.accounts.roles import Role
from facturier.common.errors import BusinessError
from facturier.domain.numbering import Reset
from facturier.web.error_messages import explain
from facturier.web.forms.fields import LocalizedDecimalField
from facturier.web.forms.parties import ServiceForm
from facturier.web.numbers import ui_language
from facturier.web.templatetags.facturier_format import LOCALES


def country_choices() -> list[tuple[str, str]]:
    """ISO 3166 countries named in the page's language, sorted by name (France, not FR)."""
    names = LOCALES[ui_language()].territories
    countries = [
        (code, str(name))
        for code, name in names.items()
        if len(code) == 2 and code.isalpha() and code != "ZZ"
    ]
    return sorted(countries, key=lambda item: item[1].casefold())


SECTIONS = {
    "identity": ("name", "legal_form", "share_capital", "siren", "siret", "vat_number", "rcs"),
    "contact": ("address_line1", "address_line2", "postcode", "city", "country", "email", "phone", "website"),
    "bank": ("iban", "bic", "default_currency", "time_zone"),
    "einvoicing": (
        "electronic_address_scheme", "electronic_address", "einvoice_syntax", "facturx_profile",
        "requires_approval", "vat_on_debits",
    ),
    "mentions": ("late_penalty_rate", "early_payment_discount", "send_payment_receipts"),
    "branding": ("logo", "brand_color", "footer_text"),
}  # fmt: skip


def explain_company_error(error: BusinessError) -> str:
    """The company services' refusals in the user's language; other errors as the staff UI words them."""
    extra = {"period": error.extra.get("period", "")}
    wordings = {
        "invalid_time_zone": _("Unknown time zone: use an IANA name such as Europe/Paris."),
        "invalid_colour": _("Write the colour as #rrggbb, e.g. #1f4e79."),
        "invalid_scheme": _("The scheme is a 4-digit code: 0225 for a SIREN, 0009 for a SIRET."),
        "incomplete_electronic_address": _(
            "An e-invoicing address needs both its scheme and its identifier."
        ),
        "invalid_logo_type": _("The logo must be a PNG, JPEG or SVG image."),
        "logo_too_large": _("The logo is larger than 2 MB."),
        "siret_siren_mismatch": _("The SIRET must start with the SIREN."),
        "rcs_siren_mismatch": _("The RCS registration must end with the company's SIREN."),
        "invalid_country": _("Unknown country: use its two-letter ISO code, e.g. FR."),
        "last_admin": _("This is the last administrator: make someone else administrator first."),
        "series_in_use": _(
            "Numbers were already taken in period %(period)s: a legal sequence cannot change in the middle "
            "of a period. Change it when the next period starts, before its first number."
        ),
        "invalid_pattern": _(
            "This pattern cannot produce legal numbers: it needs {seq}, the year when numbering restarts every "
            "year (and the month when monthly), and only letters, digits and + - _ /, at most 35 characters."
        ),
    }
    wording = wordings.get(error.code)
    return str(wording) % extra if wording is not None else explain(error)


class CompanyErrors:
    """`attach`: put a service error on the field it names, worded for the user."""

    fields: dict[str, Any]

    def attach(self, error: BusinessError) -> None:
        self.add_error(  # type: ignore[attr-defined]
            error.field if error.field in self.fields else None, explain_company_error(error)
        )


RESET_LABELS = {
    Reset.YEARLY: _("Every year"),
    Reset.MONTHLY: _("Every month"),
    Reset.NEVER: _("Never"),
}


# ISO 6523 schemes of a French company's e-invoicing address, by name (the number alone means nothing).
ADDRESS_SCHEMES = [
    ("", "—"),
    ("0225", _("SIREN, in the e-invoicing directory (0225)")),
    ("0009", _("SIRET (0009)")),
    ("0088", _("GLN (0088)")),
]


class CompanyForm(CompanyErrors, ServiceForm):
    share_capital = LocalizedDecimalField(
        label=capfirst(LegalEntity._meta.get_field("share_capital").verbose_name), required=False,
        max_digits=20, decimal_places=2, min_value=0, amount=True,
    )  # fmt: skip
    country = forms.ChoiceField(label=capfirst(_("country")), choices=country_choices)
    website = forms.URLField(label=capfirst(_("website")), required=False, assume_scheme="https")
    logo = forms.FileField(
        label=capfirst(_("logo")),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/svg+xml"}),
        help_text=_("PNG, JPEG or SVG, 2 MB at most."),
    )

    class Meta:
        model = LegalEntity
        fields = tuple(name for section in SECTIONS.values() for name in section)
        widgets = {
            "footer_text": forms.Textarea(attrs={"rows": 2}),
            "brand_color": forms.TextInput(attrs={"type": "color"}),
            "time_zone": forms.TextInput(attrs={"list": "time-zones", "autocomplete": "off"}),
        }
        help_texts = {
            "time_zone": _("IANA name, e.g. Europe/Paris"),
            "brand_color": "#rrggbb",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scheme = self.fields["electronic_address_scheme"]
        current = self.instance.electronic_address_scheme if self.instance else ""
        known = [code for code, _label in ADDRESS_SCHEMES]
        extra = (
            [(current, current)] if current and current not in known else []
        )  # an older scheme stays valid
        self.fields["electronic_address_scheme"] = forms.ChoiceField(
            label=scheme.label, required=False, choices=[*ADDRESS_SCHEMES, *extra]
        )

    def values(self) -> dict[str, Any]:
        """The changed fields for `entity_update`; the logo only when a file was sent or removed."""
        values = super().values()
        logo = values.pop("logo", None)
        if isinstance(logo, UploadedFile) or logo is False:
            values["logo"] = logo
        return values


class SeriesForm(CompanyErrors, forms.Form):
    pattern = forms.CharField(label=_("Pattern"), max_length=60)
    reset = forms.ChoiceField(
        label=_("Numbering restarts"), choices=[(k.value, v) for k, v in RESET_LABELS.items()]
    )


class MemberAddForm(CompanyErrors, forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    role = forms.ChoiceField(label=capfirst(_("role")), choices=Role.choices)


class MemberRoleForm(CompanyErrors, forms.Form):
    role = forms.ChoiceField(label=capfirst(_("role")), choices=Role.choices)
