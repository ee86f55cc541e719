"""Writes on legal entities, memberships and API keys."""

import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from facturier.accounts.models import ApiKey, LegalEntity, Membership
from facturier.accounts.roles import Role
from facturier.audit.services import audit_record
from facturier.common.errors import Conflict, NotFound, ValidationFailed
from facturier.domain import identifiers
from facturier.domain.money import InvalidCurrency, validate_currency

API_KEY_SCOPES = frozenset(
    f"{resource}:{level}"
    for resource in ("customers", "products", "quotes", "orders", "invoices", "credit_notes", "inbox")
    for level in ("read", "write")
) | {"*"}


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
            raise ValidationFailed(str(error), field=field, code=f"invalid_{field}") from error
    for field in ("currency", "default_currency"):
        if cleaned.get(field):
            try:
                cleaned[field] = validate_currency(cleaned[field])
            except InvalidCurrency as error:
                raise ValidationFailed(str(error), field=field, code="invalid_currency") from error
    siren, siret = cleaned.get("siren"), cleaned.get("siret")
    if siren and siret and not siret.startswith(siren):
        raise ValidationFailed(
            "The SIRET must start with the SIREN.", field="siret", code="siret_siren_mismatch"
        )
    if siret and not siren:
        cleaned["siren"] = siret[:9]
    return cleaned


@transaction.atomic
def entity_create(*, by: Any | None, admin_user: Any | None = None, **fields: Any) -> LegalEntity:
    """Create a legal entity (identifiers validated) and make `admin_user` its administrator."""
    from facturier.invoicing.numbering import default_series_for

    fields = clean_identifiers(fields)
    entity = LegalEntity(**fields)
    entity.full_clean(exclude=["logo"])
    entity.save()
    default_series_for(entity)
    if admin_user is not None:
        Membership.objects.create(user=admin_user, entity=entity, role=Role.ADMIN)
    audit_record(entity=entity, actor=by, action="entity.created", obj=entity, after={"name": entity.name})
    return entity


@transaction.atomic
def membership_set(*, entity: LegalEntity, user: Any, role: str, by: Any | None) -> Membership:
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
def api_key_create(
    *, entity: LegalEntity, name: str, scopes: list[str], by: Any | None
) -> tuple[ApiKey, str]:
    """Create an API key; returns the row and the full secret, which is never stored and shown only once."""
    unknown = sorted(set(scopes) - API_KEY_SCOPES)
    if unknown or not scopes:
        raise ValidationFailed(
            f"Unknown scopes: {', '.join(unknown) or '(none given)'}. Known: {', '.join(sorted(API_KEY_SCOPES))}",
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
        created_by=by,
    )
    audit_record(
        entity=entity, actor=by, action="apikey.created", obj=key, after={"name": name, "scopes": scopes}
    )
    return key, full_key


@transaction.atomic
def api_key_revoke(*, entity: LegalEntity, prefix: str, by: Any | None) -> ApiKey:
    """Revoke a key of ``entity`` by its public prefix: it stops working at once, and stays listed."""
    key = ApiKey.objects.select_for_update().filter(entity=entity, prefix=prefix.strip()).first()
    if key is None:
        raise NotFound(f"No API key '{prefix}' in {entity.name}.", field="prefix", code="unknown_api_key")
    if key.revoked_at is not None:
        raise Conflict(
            f"API key '{prefix}' was already revoked on {key.revoked_at:%Y-%m-%d}.", code="already_revoked"
        )
    key.revoked_at = timezone.now()
    key.save(update_fields=["revoked_at", "updated_at"])
    audit_record(entity=entity, actor=by, action="apikey.revoked", obj=key, after={"name": key.name})
    return key
