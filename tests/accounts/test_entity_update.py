"""Company settings, numbering series and members change only through their services: validated,
refused for other roles, one audited transaction each, nothing written when refused."""

import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from facturier.accounts.models import LegalEntity, Membership
from facturier.accounts.roles import Role
from facturier.accounts.services import entity_update, membership_change
from facturier.audit.models import AuditEvent
from facturier.common.errors import Conflict, PermissionDenied, ValidationFailed
from facturier.invoicing.models import NumberingSeries, SequenceCounter
from facturier.invoicing.services import invoice_issue
from facturier.invoicing.services.numbering_settings import numbering_series_update


def png_bytes() -> bytes:
    import segno

    buffer = io.BytesIO()
    segno.make("LOGO").save(buffer, kind="png", scale=4)
    return buffer.getvalue()


def snapshot(entity: LegalEntity) -> dict:
    return LegalEntity.objects.filter(pk=entity.pk).values().get()


def test_an_admin_changes_the_company_and_the_change_is_audited(entity, owner):
    # when the administrator renames the company and changes its bank and time zone
    entity_update(entity=entity, by=owner, name="Atelier Dupont et Fils", share_capital=Decimal("25000.00"),
                  iban="FR76 3000 4000 0312 3456 7890 143", time_zone="America/Martinique",
                  brand_color="#AA3300", electronic_address_scheme="0225", electronic_address="552100554")  # fmt: skip
    # then the row holds the normalized values
    entity.refresh_from_db()
    assert entity.name == "Atelier Dupont et Fils"
    assert entity.share_capital == Decimal("25000.00")
    assert entity.iban == "FR7630004000031234567890143"
    assert entity.time_zone == "America/Martinique"
    assert entity.brand_color == "#aa3300"
    assert entity.electronic_address_scheme == "0225"
    # and one audit event says what it was and what it became
    event = AuditEvent.objects.filter(action="entity.updated").get()
    assert event.before["name"] == "Atelier Dupont SAS"
    assert event.after["name"] == "Atelier Dupont et Fils"
    assert event.after["time_zone"] == "America/Martinique"
    assert event.actor == owner


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("siret", "55210055400014"),
        ("siret", "73282932000074"),  # valid, but not of this company's SIREN
        ("siren", "552100555"),
        ("vat_number", "FR00552100554"),
        ("iban", "FR7630006000011234567890188"),
        ("bic", "NOTABIC"),
        ("default_currency", "EURO"),
        ("time_zone", "Europe/Lutece"),
        ("time_zone", "../../etc/passwd"),
        ("brand_color", "blue"),
        ("brand_color", "#12345"),
        ("electronic_address_scheme", "SIREN"),
        ("email", "not an email"),
        ("name", ""),
        ("country", "France"),
        ("country", "ZZ"),
        ("rcs", "RCS Paris 732 829 320"),  # another company's SIREN
    ],
)
def test_bad_company_settings_are_refused_naming_the_field_and_nothing_changes(entity, owner, field, value):
    before = snapshot(entity)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        entity_update(entity=entity, by=owner, **{"legal_form": "SARL", field: value})
    assert refused.value.field == field
    assert snapshot(entity) == before
    assert AuditEvent.objects.count() == events


def test_an_e_invoicing_address_needs_its_scheme(entity, owner):
    with pytest.raises(ValidationFailed) as refused:
        entity_update(entity=entity, by=owner, electronic_address="552100554")
    assert refused.value.field == "electronic_address_scheme"


def test_unknown_fields_are_refused(entity, owner):
    with pytest.raises(ValidationFailed) as refused:
        entity_update(entity=entity, by=owner, chain_hash="x")
    assert refused.value.field == "chain_hash"


def test_an_accountant_cannot_change_the_company(entity, colleague):
    before = snapshot(entity)
    with pytest.raises(PermissionDenied):
        entity_update(entity=entity, by=colleague, name="Piratage SAS")
    assert snapshot(entity) == before


def test_a_logo_is_checked_on_its_content_not_only_its_name(entity, owner, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    fake = SimpleUploadedFile("logo.png", b"<html><script>alert(1)</script></html>", content_type="image/png")
    with pytest.raises(ValidationFailed) as refused:
        entity_update(entity=entity, by=owner, logo=fake)
    assert refused.value.field == "logo"
    gif = SimpleUploadedFile("logo.gif", b"GIF89a....", content_type="image/gif")
    with pytest.raises(ValidationFailed):
        entity_update(entity=entity, by=owner, logo=gif)
    huge = SimpleUploadedFile("logo.png", png_bytes() + b"\0" * (2 * 1024 * 1024), content_type="image/png")
    with pytest.raises(ValidationFailed) as refused:
        entity_update(entity=entity, by=owner, logo=huge)
    assert refused.value.code == "logo_too_large"
    entity.refresh_from_db()
    assert not entity.logo
    assert list(tmp_path.iterdir()) == []


def test_a_png_or_svg_logo_is_stored_and_can_be_removed(entity, owner, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    entity_update(entity=entity, by=owner, logo=SimpleUploadedFile("Mon logo.png", png_bytes()))
    entity.refresh_from_db()
    assert entity.logo.name.startswith("logos/")
    assert (tmp_path / entity.logo.name).read_bytes() == png_bytes()
    svg = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'
    entity_update(entity=entity, by=owner, logo=SimpleUploadedFile("logo.svg", svg))
    entity.refresh_from_db()
    assert entity.logo.name.endswith(".svg")
    entity_update(entity=entity, by=owner, logo=False)
    entity.refresh_from_db()
    assert not entity.logo
    assert AuditEvent.objects.filter(action="entity.updated").last().before["logo"].endswith(".svg")


# --- numbering series -------------------------------------------------------------------------------


def invoice_series(entity) -> NumberingSeries:
    return NumberingSeries.objects.get(entity=entity, code="invoice")


def test_a_pattern_can_change_before_the_first_number_of_the_period(entity, owner):
    series = numbering_series_update(series=invoice_series(entity), by=owner, pattern="F{YY}{MM}-{seq:04}",
                                     reset="monthly")  # fmt: skip
    assert (series.pattern, series.reset) == ("F{YY}{MM}-{seq:04}", "monthly")
    event = AuditEvent.objects.filter(action="numbering_series.updated").get()
    assert event.before["pattern"] == "FAC-{YYYY}-{seq:05}"
    assert event.after == {"code": "invoice", "pattern": "F{YY}{MM}-{seq:04}", "reset": "monthly"}


def test_numbers_of_a_past_period_do_not_lock_the_pattern(entity, owner):
    SequenceCounter.objects.create(series=invoice_series(entity), period="2020", last_value=310)
    series = numbering_series_update(series=invoice_series(entity), by=owner, pattern="INV-{YYYY}-{seq:06}")
    assert series.pattern == "INV-{YYYY}-{seq:06}"


def test_a_pattern_cannot_change_once_the_series_numbered_an_invoice_this_period(
    draft_invoice, entity, owner
):
    # given an invoice issued today
    invoice_issue(invoice=draft_invoice, by=owner)
    # when the administrator tries to change the pattern, then it is refused and nothing changes
    with pytest.raises(Conflict) as refused:
        numbering_series_update(series=invoice_series(entity), by=owner, pattern="X-{YYYY}-{seq:05}")
    assert refused.value.code == "series_in_use"
    assert "en cours de période" in refused.value.message  # French by default
    assert invoice_series(entity).pattern == "FAC-{YYYY}-{seq:05}"
    assert not AuditEvent.objects.filter(action="numbering_series.updated").exists()


@pytest.mark.parametrize(
    ("pattern", "reset"),
    [("FAC-{YYYY}", "yearly"), ("FAC-{seq:05}", "yearly"), ("FAC {YYYY} {seq}", "yearly"),
     ("F-{YYYY}-{seq:05}", "monthly"), ("F-{YYYY}-{seq:05}", "weekly")],
)  # fmt: skip
def test_an_illegal_pattern_is_refused(entity, owner, pattern, reset):
    with pytest.raises(ValidationFailed) as refused:
        numbering_series_update(series=invoice_series(entity), by=owner, pattern=pattern, reset=reset)
    assert refused.value.field in {"pattern", "reset"}
    assert invoice_series(entity).pattern == "FAC-{YYYY}-{seq:05}"


def test_an_accountant_cannot_change_a_series(entity, colleague):
    with pytest.raises(PermissionDenied):
        numbering_series_update(series=invoice_series(entity), by=colleague, pattern="X-{YYYY}-{seq}")


# --- members ----------------------------------------------------------------------------------------


def test_the_last_admin_cannot_be_demoted(entity, owner):
    with pytest.raises(Conflict) as refused:
        membership_change(entity=entity, user=owner, role=Role.ACCOUNTANT, by=owner)
    assert refused.value.code == "last_admin"
    assert Membership.objects.get(entity=entity, user=owner).role == Role.ADMIN


def test_an_admin_can_step_down_once_someone_else_is_admin(entity, owner, colleague):
    membership_change(entity=entity, user=colleague, role=Role.ADMIN, by=owner)
    membership_change(entity=entity, user=owner, role=Role.AUDITOR, by=owner)
    assert Membership.objects.get(entity=entity, user=owner).role == Role.AUDITOR
    events = AuditEvent.objects.filter(action="membership.set").order_by("position")
    assert [e.after for e in events][-2:] == [{"user": "colleague", "role": "admin"},
                                              {"user": "owner", "role": "auditor"}]  # fmt: skip


def test_only_admins_change_roles(entity, colleague):
    newcomer = get_user_model().objects.create_user("newcomer")
    with pytest.raises(PermissionDenied):
        membership_change(entity=entity, user=newcomer, role=Role.ADMIN, by=colleague)
    assert not Membership.objects.filter(user=newcomer).exists()
