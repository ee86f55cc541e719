"""Web fixtures: clients signed in as the owner (admin), the colleague (accountant) or the outsider."""

import pytest


@pytest.fixture
def owner_client(client, owner, entity):
    client.force_login(owner)
    return client


@pytest.fixture
def outsider_client(client, outsider, entity):
    client.force_login(outsider)
    return client
