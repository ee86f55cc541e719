"""The staff UI: mandates on the customer page (add, revoke), the SEPA files page with downloads."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from facturier.payments.models import Mandate, MandateStatus
from facturier.payments.sepa_mandates import mandate_create, sepa_creditor_set
from facturier.payments.sepa_transfers import credit_transfer_file_generate, refund_order
from facturier.payments.services import payment_record

pytestmark = pytest.mark.time_machine(dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC))
IBAN = "DE89370400440532013000"


@pytest.fixture
def owner_client(client, owner, entity):
    client.force_login(owner)
    return client


def test_a_mandate_is_added_then_revoked_from_the_customer_page(owner_client, customer):
    page = owner_client.get(reverse("web:customer-detail", kwargs={"pk": customer.pk}))
    assert "Aucun mandat." in page.content.decode()
    # when a mandate is entered with a bad IBAN, then the form says so and nothing is stored
    url = reverse("web:customer-mandate-add", kwargs={"pk": customer.pk})
    data = {
        "reference": "UMR-WEB-1",
        "signed_on": "2026-11-02",
        "scheme": "CORE",
        "iban": "FR00 1234",
        "bic": "",
    }
    answer = owner_client.post(url, data)
    assert answer.status_code == 200
    assert "Invalid IBAN" in answer.content.decode()
    assert not Mandate.objects.exists()
    # when it is right, then the customer page lists it
    answer = owner_client.post(url, data | {"iban": IBAN}, follow=True)
    assert "UMR-WEB-1" in answer.content.decode()
    mandate = Mandate.objects.get()
    # when it is revoked, then it shows so
    owner_client.post(
        reverse("web:customer-mandate-revoke", kwargs={"pk": customer.pk, "mandate_pk": mandate.pk})
    )
    mandate.refresh_from_db()
    assert mandate.status == MandateStatus.REVOKED


def test_the_files_page_lists_and_downloads_generated_files(
    owner_client, entity, customer, owner, client, outsider
):
    sepa_creditor_set(entity=entity, creditor_id="FR72ZZZ123456", by=owner)
    payment_record(entity=entity, customer=customer, amount=Decimal("50.00"), received_on=dt.date(2026, 11, 20),
                   by=owner)  # fmt: skip
    refund_order(
        customer=customer, amount=Decimal("20.00"), iban=IBAN, execution_date=dt.date(2026, 11, 23), by=owner
    )
    sepa_file = credit_transfer_file_generate(entity=entity, execution_date=dt.date(2026, 11, 23), by=owner)
    page = owner_client.get(reverse("web:sepa-files")).content.decode()
    assert sepa_file.filename in page
    assert "FR72ZZZ123456" in page
    download = owner_client.get(reverse("web:sepa-file-download", kwargs={"pk": sepa_file.pk}))
    assert download["Content-Type"] == "application/xml"
    assert download.content == bytes(sepa_file.content)
    # an outsider finds nothing
    client.force_login(outsider)
    assert client.get(reverse("web:sepa-file-download", kwargs={"pk": sepa_file.pk})).status_code == 404


def test_a_collection_run_from_the_files_page_refuses_a_date_too_soon(owner_client, entity, owner, customer):
    sepa_creditor_set(entity=entity, creditor_id="FR72ZZZ123456", by=owner)
    mandate_create(customer=customer, reference="UMR-1", signed_on=dt.date(2026, 11, 1), iban=IBAN, by=owner)
    answer = owner_client.post(reverse("web:sepa-files"), {"collection_date": "2026-11-24"})
    assert answer.status_code == 200
    assert "14" in answer.content.decode()
