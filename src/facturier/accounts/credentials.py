"""Each company's own connector accounts (Chorus Pro, the platform, Stripe, PayPal), kept encrypted in the database.

They replace the environment variables keyed by SIREN (``CHORUS_PRO_ACCOUNTS``, ``PDP_ACCOUNTS``), which
are still read as a fallback for installations configured that way: for one company, its stored
credentials win over the environment's account for its SIREN, which wins over the installation's
own settings (``channels.channel_settings``). Secrets are never written to the audit trail: only
which settings were set.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from facturier.accounts.actor import Actor
from facturier.accounts.authorization import authorize
from facturier.accounts.models import LegalEntity
from facturier.accounts.roles import Action
from facturier.audit.services import audit_record
from facturier.common.errors import ValidationFailed
from facturier.common.secrets import decrypt_json, encrypt_json
from facturier.jobs.models import ConnectorCredential

CONNECTORS = ("chorus_pro", "pdp", "stripe", "paypal")  # the last two: online payment (payments.online)


@transaction.atomic
def connector_credentials_set(
    *, entity: LegalEntity, connector: str, values: dict[str, str], by: Actor
) -> ConnectorCredential:
    """Store (or replace) the company's account on ``connector``; empty values are dropped."""
    authorize(by, Action.MANAGE_ENTITY, entity)
    if connector not in CONNECTORS:
        raise ValidationFailed(
            f"Unknown connector {connector!r}", field="connector", code="unknown_connector"
        )
    cleaned = {str(key): str(value) for key, value in values.items() if str(value or "").strip()}
    row, _created = ConnectorCredential.objects.update_or_create(
        entity=entity, connector=connector, defaults={"secret": encrypt_json(cleaned)}
    )
    audit_record(entity=entity, actor=by, action="entity.credentials_set", obj=entity,
                 after={"connector": connector, "settings": sorted(cleaned)})  # fmt: skip
    return row


def stored_credentials(connector: str, *, entity: Any | None = None, siren: str = "") -> dict[str, Any]:
    """The company's stored settings for ``connector`` (by entity, else by SIREN); {} when none."""
    rows = ConnectorCredential.objects.filter(connector=connector)
    if entity is not None and getattr(entity, "pk", None):
        rows = rows.filter(entity=entity)
    elif siren:
        rows = rows.filter(entity__siren=siren)
    else:
        return {}
    row = rows.first()
    return decrypt_json(row.secret) if row is not None else {}


def sirens_with_credentials(connector: str) -> list[str]:
    """The SIRENs of the companies that stored their own account on ``connector``."""
    return sorted(
        {
            s
            for s in ConnectorCredential.objects.filter(connector=connector).values_list(
                "entity__siren", flat=True
            )
            if s
        }
    )
