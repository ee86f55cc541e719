"""Web fixtures: clients signed in as the owner (admin), the colleague (accountant) or the outsider,
and a helper to read the messages a page shows."""

import pytest
from django.contrib.auth import get_user_model

from facturier.accounts.roles import Role
from facturier.accounts.services import membership_set


@pytest.fixture
def owner_client(client, owner, entity):
    client.force_login(owner)
    return client


@pytest.fixture
def outsider_client(client, outsider, entity):
    client.force_login(outsider)
    return client


@pytest.fixture
def member_client(client, entity, owner):
    """A client signed in as a fresh member of `entity` with the role given: member_client("auditor")."""

    def sign_in(role: str):
        user = get_user_model().objects.create_user(f"user-{role}", f"{role}@example.fr", "pw-member-123")
        membership_set(entity=entity, user=user, role=Role(role), by=owner)
        client.force_login(user)
        return client

    return sign_in


def page_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []
