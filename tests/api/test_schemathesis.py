"""Schemathesis over every operation of /api/v1/openapi.json, in process (WSGI), as a slow test.

A bounded version of `make api-fuzz` (bench/api_fuzz.py, docs/api-fuzzing.md): positive and negative
cases for each operation, every response checked for server errors, conformance to the schema (status,
content type, headers, body) and, for requests the schema forbids, that they are refused
(`negative_data_rejection`: the server enforces the bounds its schema states). Schema-valid requests
that a business rule refuses (an unknown customer id, a currency without its exchange rate) are 422 by
design, so `positive_data_acceptance` is left to the documented command, which reports them.
"""

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.specs.openapi.checks import (  # noqa: E402 - after the import check
    positive_data_acceptance,
)

from tests.api.conftest import make_key  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.django_db]
MAX_EXAMPLES = 6


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Requests go through the WSGI app itself, whose request signals close the database connection at
    the end of each request; on PostgreSQL that is the test's own connection (Django's test client
    disconnects the same handler for the same reason)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def all_scopes_key(entity, customer, product, settings):
    """A company with a customer and a product, and a key with every scope.

    The fuzzer sends hundreds of invalid keys from one address, which the per-address API throttle
    answers with 429 by design (tested in tests/accounts/test_login_guard.py): it is off here.
    """
    settings.FACTURIER_API_FAILURES_PER_ADDRESS = 0
    _key, secret = make_key(entity, ["*"], name="schemathesis")
    return secret


def _schema():
    from django.core.wsgi import get_wsgi_application

    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


schema = _schema()


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_its_schema(case, all_scopes_key):
    # every generated request, valid or not, gets an answer its schema describes and never a 5xx;
    # one the schema forbids is refused
    case.call_and_validate(
        headers={"Authorization": f"Bearer {all_scopes_key}"},
        excluded_checks=[positive_data_acceptance],
    )
