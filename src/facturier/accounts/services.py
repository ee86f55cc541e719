"""Writes on legal entities, memberships and API keys."""

import functools
import re
import secrets
import zoneinfo
from pathlib import PurePath
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from facturier.accounts.actor import Actor
from facturier.accounts.authorization import API_KEY_SCOPES, authorize, user_and_key
from facturier.accounts.hooks import set_up_entity
from facturier.accounts.models import ApiKey, LegalEntity, Membership
from facturier.accounts.roles import Action, Role
from facturier.audit.services import audit_record
from facturier.common import domain_wording
from facturier.common.cleaning import full_clean_or_raise
from facturier.common.errors import Conflict, NotFound, ValidationFailed
from facturier.domain import identifiers
from facturier.domain.money import InvalidCurrency, validate_currency


def clean_identifiers(data: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalize SIREN/SIRET/VAT/IBAN/BIC/currency fields present in `data`.

    Raises ValidationFailed naming the field; used by entity and customer services alike.
    """
    validators = {
        "siren": identifiers.validate_siren,
        "siret": identifiers.validate_siret,
        "vat_number": identifiers.validate_vat_number,
        "iban": identifiers.validate_iban,
        "bic": identifiers.validate_bic,
    }
    cleaned = dict(data)
    for field, validate in validators.items():
        value = (cleaned.get(field) or "").strip()
        if not value:
            continue
        try:
            cleaned[field] = validate(value)
        except identifiers.InvalidIdentifier as error:
            raise ValidationFailed(
                domain_wording.identifier(error), field=field, code=f"invalid_{field}"
            ) from error
    for field in ("currency", "default_currency"):
        if cleaned.get(field):
            try:
                cleaned[field] = validate_currency(cleaned[field])
            except InvalidCurrency as error:
                raise ValidationFailed(
                    domain_wording.currency(cleaned[field]), field=field, code="invalid_currency"
                ) from error
    siren, siret = cleaned.get("siren"), cleaned.get("siret")
    if siren and siret and not siret.startswith(siren):
        raise ValidationFailed(
            _("The SIRET must start with the SIREN."), field="siret", code="siret_siren_mismatch"
        )
    if siret and not siren:
        cleaned["siren"] = siret[:9]
    return cleaned


@transaction.atomic
def entity_create(*, by: Actor, admin_user: Any | None = None, **fields: Any) -> LegalEntity:
    """Create a legal entity (identifiers validated) and make `admin_user` its administrator.

    Not authorized here: there is no entity to hold a role in yet; its callers are the operator's (the
    demo loader, the CLI, the Django admin). The apps above set it up through `accounts.hooks` (invoicing:
    its default numbering series).
    """
    fields = clean_identifiers(fields)
    entity = LegalEntity(**fields)
    entity.full_clean(exclude=["logo"])
    entity.save()
    set_up_entity(entity)
    if admin_user is not None:
        Membership.objects.create(user=admin_user, entity=entity, role=Role.ADMIN)
    audit_record(entity=entity, actor=by, action="entity.created", obj=entity, after={"name": entity.name})
    return entity


@transaction.atomic
def membership_set(*, entity: LegalEntity, user: Any, role: str, by: Actor) -> Membership:
    """Record ``user``'s role, unchecked: the building block of `membership_change` (which authorizes) and
    of set-up code (the demo loader, tests)."""
    membership, _created = Membership.objects.update_or_create(
        user=user, entity=entity, defaults={"role": Role(role)}
    )
    audit_record(
        entity=entity,
        actor=by,
        action="membership.set",
        obj=membership,
        after={"user": user.username, "role": role},
    )
    return membership


@transaction.atomic
def api_key_create(*, entity: LegalEntity, name: str, scopes: list[str], by: Actor) -> tuple[ApiKey, str]:
    """Create an API key; returns the row and the full secret, which is never stored and shown only once."""
    authorize(by, Action.MANAGE_ENTITY, entity)
    unknown = sorted(set(scopes) - API_KEY_SCOPES)
    if unknown or not scopes:
        raise ValidationFailed(
            _("Unknown scopes: %(value)s. Known: %(names)s")
            % {"value": ", ".join(unknown) or "(none given)", "names": ", ".join(sorted(API_KEY_SCOPES))},
            field="scopes",
            code="invalid_scope",
        )
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    full_key = f"fk_{prefix}_{secret}"
    key = ApiKey.objects.create(
        entity=entity,
        name=name,
        prefix=prefix,
        digest=ApiKey.digest_of(full_key),
        scopes=sorted(scopes),
        created_by=user_and_key(by)[0],
    )
    audit_record(
        entity=entity, actor=by, action="apikey.created", obj=key, after={"name": name, "scopes": scopes}
    )
    return key, full_key


@transaction.atomic
def api_key_revoke(*, entity: LegalEntity, prefix: str, by: Actor) -> ApiKey:
    """Revoke a key of ``entity`` by its public prefix: it stops working at once, and stays listed."""
    authorize(by, Action.MANAGE_ENTITY, entity)
    key = ApiKey.objects.select_for_update().filter(entity=entity, prefix=prefix.strip()).first()
    if key is None:
        raise NotFound(
            _("No API key '%(prefix)s' in %(name)s.") % {"prefix": prefix, "name": entity.name},
            field="prefix",
            code="unknown_api_key",
        )
    if key.revoked_at is not None:
        raise Conflict(
            _("API key '%(prefix)s' was already revoked on %(revoked_at)s.")
            % {"prefix": prefix, "revoked_at": format(key.revoked_at, "%Y-%m-%d")},
            code="already_revoked",
        )
    key.revoked_at = timezone.now()
    key.save(update_fields=["revoked_at", "updated_at"])
    audit_record(entity=entity, actor=by, action="apikey.revoked", obj=key, after={"name": key.name})
    return key


# --- Company settings, maintained by the entity's administrators in the staff UI -----------------

ENTITY_FIELDS = frozenset(
    {
        "name", "legal_form", "share_capital", "siren", "siret", "vat_number", "rcs", "address_line1",
        "address_line2", "postcode", "city", "country", "email", "phone", "website", "iban", "bic", "logo",
        "default_currency", "time_zone", "electronic_address_scheme", "electronic_address",
        "requires_approval", "vat_on_debits", "late_penalty_rate", "early_payment_discount",
        "einvoice_syntax", "facturx_profile", "brand_color", "footer_text", "send_payment_receipts",
    }
)  # fmt: skip
MAX_LOGO_BYTES = 2 * 1024 * 1024  # what documents.render embeds; a bigger logo would be dropped from PDFs
_LOGO_SIGNATURES = {".png": (b"\x89PNG\r\n\x1a\n",), ".jpg": (b"\xff\xd8\xff",), ".jpeg": (b"\xff\xd8\xff",)}
_HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_SCHEME = re.compile(r"^(\d{4}|EM)$")
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "ZZ"})  # Babel's groupings and "unknown region"


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


@functools.cache
def _countries() -> frozenset[str]:
    """ISO 3166 alpha-2 codes Babel knows, without its groupings (EU, UN...) and 'unknown' (ZZ)."""
    from babel import Locale

    codes = {str(code) for code in Locale("en").territories}
    return frozenset(code for code in codes if len(code) == 2 and code.isalpha()) - _NOT_COUNTRIES


def entity_state(entity: LegalEntity) -> dict[str, Any]:
    """What an audit event records of an entity: every editable field, the logo by its stored name."""
    state = {name: getattr(entity, name) for name in sorted(ENTITY_FIELDS - {"logo"})}
    state["logo"] = entity.logo.name or ""
    return state


def _check_logo(upload: Any) -> None:
    """PNG, JPEG or SVG only, checked on the content (not just the name), and small enough for the PDF."""
    suffix = PurePath(getattr(upload, "name", "") or "").suffix.lower()
    size = getattr(upload, "size", None) or 0
    if size > MAX_LOGO_BYTES:
        raise ValidationFailed(
            _("The logo is larger than %(value)s MB.") % {"value": MAX_LOGO_BYTES // (1024 * 1024)},
            field="logo",
            code="logo_too_large",
        )
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    if suffix == ".svg":
        text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
        valid = text.startswith("<") and "<svg" in head.decode("utf-8", errors="replace").lower()
    else:
        valid = any(head.startswith(signature) for signature in _LOGO_SIGNATURES.get(suffix, ()))
    if not valid:
        raise ValidationFailed(
            _("The logo must be a PNG, JPEG or SVG image."), field="logo", code="invalid_logo_type"
        )


def check_entity_settings(fields: dict[str, Any]) -> dict[str, Any]:
    """Check and normalize the settings `clean_identifiers` does not know: time zone, colour, scheme."""
    cleaned = dict(fields)
    if "time_zone" in cleaned:
        cleaned["time_zone"] = (cleaned["time_zone"] or "").strip()
        if cleaned["time_zone"] not in _time_zones():
            raise ValidationFailed(
                _("Unknown time zone '%(time_zone)s' (an IANA name such as Europe/Paris).")
                % {"time_zone": cleaned["time_zone"]},
                field="time_zone",
                code="invalid_time_zone",
            )
    if "country" in cleaned:
        cleaned["country"] = (cleaned["country"] or "").strip().upper()
        if cleaned["country"] not in _countries():
            raise ValidationFailed(
                _("Unknown country code '%(country)s' (ISO 3166, e.g. FR).")
                % {"country": cleaned["country"]},
                field="country",
                code="invalid_country",
            )
    if "brand_color" in cleaned:
        colour = (cleaned["brand_color"] or "").strip()
        if not _HEX_COLOUR.match(colour):
            raise ValidationFailed(
                _("The brand colour is written #rrggbb, e.g. #1f4e79."),
                field="brand_color",
                code="invalid_colour",
            )
        cleaned["brand_color"] = colour.lower()
    if cleaned.get("electronic_address_scheme"):
        scheme = cleaned["electronic_address_scheme"].strip().upper()
        if not _SCHEME.match(scheme):
            raise ValidationFailed(
                _(
                    "The e-invoicing address scheme is a 4-digit ISO 6523 code, e.g. 0225 (SIREN) or 0009 (SIRET)."
                ),
                field="electronic_address_scheme",
                code="invalid_scheme",
            )
        cleaned["electronic_address_scheme"] = scheme
    if "share_capital" in cleaned and cleaned["share_capital"] is not None and cleaned["share_capital"] < 0:
        raise ValidationFailed(
            _("The share capital cannot be negative."), field="share_capital", code="negative"
        )
    return cleaned


@transaction.atomic
def entity_update(*, entity: LegalEntity, by: Actor, **fields: Any) -> LegalEntity:
    """Change the company's settings (administrators only): all checked first, then one audited save.

    ``logo`` is an uploaded file to store, ``False`` to remove the logo; absent leaves it as it is.
    Issued invoices keep their seller snapshot: the new values apply to documents issued from now on.
    """
    entity = LegalEntity.objects.select_for_update().get(pk=entity.pk)
    authorize(by, Action.MANAGE_ENTITY, entity)
    unknown = sorted(set(fields) - ENTITY_FIELDS)
    if unknown:
        raise ValidationFailed(
            _("Unknown fields: %(names)s.") % {"names": ", ".join(unknown)},
            field=unknown[0],
            code="unknown_field",
        )
    before = entity_state(entity)
    logo = fields.pop("logo", None)
    # a SIRET is checked against the SIREN kept, and an empty SIREN is taken from the SIRET
    cleaned = clean_identifiers({"siren": entity.siren, "siret": entity.siret, **fields})
    cleaned = check_entity_settings({k: v for k, v in cleaned.items() if k in fields or k == "siren"})
    for name, value in cleaned.items():
        setattr(entity, name, value)
    if bool(entity.electronic_address) != bool(entity.electronic_address_scheme):
        raise ValidationFailed(
            _("An e-invoicing address needs both its scheme and its identifier."),
            field="electronic_address_scheme" if entity.electronic_address else "electronic_address",
            code="incomplete_electronic_address",
        )
    rcs_digits = "".join(c for c in entity.rcs if c.isdigit())
    if entity.rcs and entity.siren and not rcs_digits.endswith(entity.siren):
        raise ValidationFailed(
            _("The RCS registration must end with the SIREN %(siren)s, e.g. RCS Paris %(siren)s.")
            % {"siren": entity.siren},
            field="rcs",
            code="rcs_siren_mismatch",
        )
    full_clean_or_raise(entity, exclude=["logo"])
    if logo:
        _check_logo(logo)
        entity.logo.save(PurePath(logo.name).name, logo, save=False)
    elif logo is False:
        entity.logo = ""
    entity.save()
    audit_record(entity=entity, actor=by, action="entity.updated", obj=entity,
                 before=before, after=entity_state(entity))  # fmt: skip
    return entity


@transaction.atomic
def membership_change(*, entity: LegalEntity, user: Any, role: str, by: Actor) -> Membership:
    """Give ``user`` a role in ``entity`` (adding them if needed) through `membership_set`.

    Administrators only; the last administrator cannot be demoted, or nobody could manage the company.
    """
    authorize(by, Action.MANAGE_ENTITY, entity)
    try:
        role = Role(role)
    except ValueError:
        raise ValidationFailed(
            _("Unknown role '%(role)s'.") % {"role": role}, field="role", code="invalid_role"
        ) from None
    admins = list(
        Membership.objects.select_for_update()
        .filter(entity=entity, role=Role.ADMIN)
        .values_list("user_id", flat=True)
    )
    if role != Role.ADMIN and admins == [user.pk]:
        raise Conflict(
            _("%(username)s is the last administrator of %(name)s: make someone else administrator first.")
            % {"username": user.get_username(), "name": entity.name},
            field="role",
            code="last_admin",
        )
    return membership_set(entity=entity, user=user, role=role, by=by)
