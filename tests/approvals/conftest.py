import pytest
from django.contrib.auth import get_user_model

from facturier.accounts.roles import Role
from facturier.accounts.services import membership_set


def _member(entity, owner, name: str, role: str):
    user = get_user_model().objects.create_user(name, f"{name}@example.fr", f"pw-{name}-123")
    membership_set(entity=entity, user=user, role=role, by=owner)
    return user


@pytest.fixture
def director(entity, owner):
    return _member(entity, owner, "director", Role.ADMIN)


@pytest.fixture
def approver2(entity, owner):
    return _member(entity, owner, "approver2", Role.APPROVER)


@pytest.fixture
def two_levels(entity, owner, approver, director):
    """Team lead (any approver) for every EUR invoice; plus the finance director from 1,000 EUR."""
    from decimal import Decimal

    from facturier.approvals.services import rule_save

    rule_save(entity=entity, by=owner, name="team lead", priority=1, currency="EUR",
              levels=[{"label": "team lead", "roles": ["approver"], "users": [], "required": 1}])  # fmt: skip
    rule_save(entity=entity, by=owner, name="finance director", priority=2, currency="EUR",
              min_amount=Decimal("1000"), escalate_after_hours=None,
              levels=[{"label": "finance director", "roles": [], "users": [str(director.pk)], "required": 1}])  # fmt: skip
