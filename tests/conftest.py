"""Shared fixtures: a company with three kinds of users (owner, colleague, outsider), customers, products."""

import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from hypothesis import HealthCheck, settings

from facturier.accounts.roles import Role
from facturier.accounts.services import entity_create, membership_set
from facturier.catalog.models import Product
from facturier.invoicing.services import LineData, document_create
from facturier.parties.models import Customer

# Property tests check what is computed, not how fast: on a loaded 2-core CI machine one example may take
# seconds, which Hypothesis' default 200 ms deadline and its "too slow" health check report as failures.
settings.register_profile("facturier", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("facturier")


def pytest_collection_modifyitems(config, items):
    """Skip `postgres`-marked tests before any fixture runs when the suite is on SQLite.

    Skipping inside the test is too late: a `transaction=True` test would still flush
    the SQLite database, which the immutability triggers forbid.
    """
    from django.conf import settings

    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: run with DATABASE_URL=postgres://... (CI does)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the product's default language (French), whatever the one before activated:
    a request with `Accept-Language: en` or a command leaves its language on the thread."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _own_checkpoints(settings, tmp_path_factory):
    """Each test's checkpoints in a folder of its own: checkpoints outlive the test database they describe."""
    settings.FACTURIER_CHECKPOINT_DIR = tmp_path_factory.mktemp("checkpoints")


# Tests never reach the network: `facturier demo` run by a test must not fetch the official rules.
os.environ.setdefault("FACTURIER_CONFORMANCE_DOWNLOAD", "0")

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared not present: conformance data is only in the team workspace")
    return SHARED


@pytest.fixture
def owner(db):
    return get_user_model().objects.create_user("owner", "owner@example.fr", "pw-owner-123")


@pytest.fixture
def colleague(db):
    return get_user_model().objects.create_user("colleague", "colleague@example.fr", "pw-colleague-123")


@pytest.fixture
def outsider(db):
    return get_user_model().objects.create_user("outsider", "outsider@example.fr", "pw-outsider-123")


def make_entity(name: str = "Atelier Dupont SAS", siren: str = "552100554", **extra):
    return entity_create(
        by=None,
        admin_user=extra.pop("admin_user", None),
        name=name,
        legal_form="SAS",
        share_capital=Decimal("10000.00"),
        siren=siren,
        siret=siren + "00013" if siren == "552100554" else "",
        vat_number=extra.pop("vat_number", "FR" + f"{(12 + 3 * (int(siren) % 97)) % 97:02d}" + siren),
        rcs=f"RCS Paris {siren}",
        address_line1="12 rue de la Paix",
        postcode="75002",
        city="Paris",
        iban="FR7630006000011234567890189",
        bic="AGRIFRPP",
        email="compta@dupont.example",
        **extra,
    )


@pytest.fixture
def entity(owner, colleague, outsider):
    entity = make_entity(admin_user=owner)
    membership_set(entity=entity, user=colleague, role=Role.ACCOUNTANT, by=owner)
    other = make_entity(name="Autre Société SARL", siren="732829320", admin_user=outsider)
    assert other.pk != entity.pk
    return entity


@pytest.fixture
def customer(entity):
    return Customer.objects.create(
        entity=entity,
        code="C001",
        name="Boulangerie Martin SARL",
        siren="443061841",
        vat_number="",
        address_line1="3 place du Marché",
        postcode="69002",
        city="Lyon",
        email="factures@martin.example",
    )


@pytest.fixture
def product(entity):
    return Product.objects.create(
        entity=entity, sku="CONSEIL-J", name="Journée de conseil", unit="DAY", unit_price=Decimal("850.00"),
        vat_category="S", vat_rate=Decimal("20.00"), accounting_category="services",
    )  # fmt: skip


@pytest.fixture
def draft_invoice(entity, customer, product, owner):
    return document_create(
        entity=entity,
        kind="invoice",
        customer=customer,
        by=owner,
        lines=[
            LineData(product=product, quantity=Decimal("3")),
            LineData(description="Frais de déplacement", quantity=Decimal("1"), unit_price=Decimal("120.50")),
        ],
    )


@pytest.fixture
def approver(entity, owner):
    """A second pair of eyes: nobody approves what they created or submitted, so tests that go through
    approval have the owner create and submit, and this approver approve."""
    user = get_user_model().objects.create_user("approver", "approver@example.fr", "pw-approver-123")
    membership_set(entity=entity, user=user, role=Role.APPROVER, by=owner)
    return user


@pytest.fixture
def validated_xml(monkeypatch) -> list[bytes]:
    """Every XML the official rules ran on (the real runner, watched)."""
    seen: list[bytes] = []
    from facturier.invoicing import einvoice

    real = einvoice.run_validation

    def watching(data, **options):
        seen.append(data)
        return real(data, **options)

    monkeypatch.setattr(einvoice, "run_validation", watching)
    return seen
