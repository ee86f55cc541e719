"""Which channel an invoice leaves through, decided by its customer."""

from __future__ import annotations

import pytest

from facturier.common.errors import ValidationFailed
from facturier.transmission.routing import route_for


def test_a_public_sector_customer_goes_to_chorus_pro_by_siret_and_service_code(public_customer) -> None:
    route = route_for(public_customer)
    assert (route.channel, route.recipient) == ("chorus_pro", "21750001600019/SERV-COMPTA")


def test_a_service_code_alone_means_chorus_pro(customer) -> None:
    customer.siret, customer.service_code = "21750001600019", "FACTURES"
    assert route_for(customer).channel == "chorus_pro"


def test_a_public_customer_without_siret_cannot_be_routed(customer) -> None:
    customer.kind = "public"
    with pytest.raises(ValidationFailed) as refused:
        route_for(customer)
    assert (refused.value.code, refused.value.field) == ("missing_siret", "siret")


def test_a_customer_on_the_e_invoicing_network_goes_through_the_platform(customer) -> None:
    customer.electronic_address_scheme, customer.electronic_address = "0225", "443061841_FACT"
    route = route_for(customer)
    assert (route.channel, route.recipient) == ("pdp", "0225:443061841_FACT")


def test_other_customers_get_an_email(customer) -> None:
    route = route_for(customer)
    assert (route.channel, route.recipient) == ("email", "factures@martin.example")


def test_a_customer_with_no_address_at_all_cannot_be_sent_to(customer) -> None:
    customer.email = ""
    with pytest.raises(ValidationFailed) as refused:
        route_for(customer)
    assert refused.value.code == "no_channel"


def test_a_channel_can_be_forced_when_the_customer_has_its_address(customer) -> None:
    customer.electronic_address = "443061841"
    assert route_for(customer, channel="email").channel == "email"
    with pytest.raises(ValidationFailed, match="Chorus Pro"):
        route_for(customer, channel="chorus_pro")
