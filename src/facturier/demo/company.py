"""The two demo legal entities and their users: `demo` administers both, one user per role in the first."""

import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model

from facturier.accounts.actor import SYSTEM, as_actor
from facturier.accounts.models import LegalEntity
from facturier.accounts.roles import Role
from facturier.accounts.services import entity_create, membership_set
from facturier.demo import identifiers

DEMO_PASSWORD = "demo"  # noqa: S105 - the published demo login, printed at the end of the load
TIME_ZONE = "Europe/Paris"


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: Role


# `demo` is the login printed at the end; the others (same password) show what each role sees and may do.
MAIN_USERS = (
    DemoUser("demo", "Camille", "Durand", Role.ADMIN),
    DemoUser("accountant", "Sophie", "Lefèvre", Role.ACCOUNTANT),
    DemoUser("sales", "Thomas", "Garnier", Role.SALES),
    DemoUser("approver", "Nadia", "Benali", Role.APPROVER),
    DemoUser("auditor", "Marc", "Rousseau", Role.AUDITOR),
)


def entity_fields(rng: random.Random) -> tuple[dict[str, Any], dict[str, Any]]:
    """Fields of the main company (a SAS in Lyon) and of the second entity (its training SARL)."""
    main_siren = identifiers.siren(rng)
    second_siren = identifiers.siren(rng)
    main = {
        "name": "Solvéo Conseil & Services",
        "legal_form": "SAS",
        "share_capital": Decimal("150000.00"),
        "siren": main_siren,
        "siret": identifiers.siret(main_siren, 1),
        "vat_number": identifiers.fr_vat(main_siren),
        "rcs": f"RCS Lyon {main_siren[:3]} {main_siren[3:6]} {main_siren[6:]}",
        "address_line1": "24 rue Garibaldi",
        "postcode": "69006",
        "city": "Lyon",
        "country": "FR",
        "email": "facturation@solveo.example",
        "phone": "+33 4 78 00 12 34",
        "website": "https://solveo.example",
        "iban": identifiers.fr_iban(rng, "30004", "00819"),
        "bic": "BNPAFRPPXXX",
        "default_currency": "EUR",
        "time_zone": TIME_ZONE,
        "electronic_address_scheme": "0225",
        "electronic_address": main_siren,
        "requires_approval": True,
        "footer_text": "Solvéo Conseil & Services SAS — conseil, intégration et équipement informatique.",
    }
    second = {
        "name": "Solvéo Formation",
        "legal_form": "SARL",
        "share_capital": Decimal("20000.00"),
        "siren": second_siren,
        "siret": identifiers.siret(second_siren, 1),
        "vat_number": identifiers.fr_vat(second_siren),
        "rcs": f"RCS Lyon {second_siren[:3]} {second_siren[3:6]} {second_siren[6:]}",
        "address_line1": "24 rue Garibaldi",
        "address_line2": "Bâtiment B",
        "postcode": "69006",
        "city": "Lyon",
        "country": "FR",
        "email": "formation@solveo.example",
        "phone": "+33 4 78 00 56 78",
        "iban": identifiers.fr_iban(rng, "10278", "07300"),
        "bic": "CMCIFR2A",
        "default_currency": "EUR",
        "time_zone": TIME_ZONE,
        "electronic_address_scheme": "0225",
        "electronic_address": second_siren,
        "requires_approval": False,
        "footer_text": "Organisme de formation — déclaration d'activité enregistrée auprès de la DREETS.",
    }
    return main, second


def _user(spec: DemoUser) -> Any:
    user_model = get_user_model()
    user = user_model.objects.filter(username=spec.username).first()
    if user is None:
        user = user_model.objects.create_user(
            spec.username,
            f"{spec.username}@solveo.example",
            DEMO_PASSWORD,
            first_name=spec.first_name,
            last_name=spec.last_name,
        )
    return user


def create_entities(rng: random.Random) -> tuple[LegalEntity, LegalEntity, dict[Role, Any]]:
    """Create both entities and the users; returns them with the user holding each role in the first."""
    main_fields, second_fields = entity_fields(rng)
    users = {spec.role: _user(spec) for spec in MAIN_USERS}
    admin = users[Role.ADMIN]
    main = entity_create(by=SYSTEM, admin_user=admin, **main_fields)
    second = entity_create(by=SYSTEM, admin_user=admin, **second_fields)
    for role, user in users.items():
        if role != Role.ADMIN:
            membership_set(entity=main, user=user, role=role, by=as_actor(admin))
    return main, second, users
