"""Reading and writing CDAR lifecycle messages: official rules, round trips, hostile input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from facturier.domain.lifecycle import (
    MAX_CDAR_BYTES,
    STATUSES,
    LifecycleMessageError,
    build_cdar,
    parse_cdar,
)
from facturier.domain.validation import ArtefactStore, validate_cdar
from tests.domain.lifecycle.builders import WHEN, status_message

VALID_CASES = [
    (200, ""),
    (202, ""),
    (203, ""),
    (204, ""),
    (205, ""),
    (207, "QTE_ERR"),
    (208, "JUSTIF_ABS"),
    (210, "TX_TVA_ERR"),
    (211, ""),
    (213, "DOUBLON"),
]


@pytest.mark.parametrize(("code", "reason"), VALID_CASES)
def test_written_messages_pass_the_official_cdar_xsd_and_br_fr_cdv_rules(
    code: int, reason: str, cdar_store: ArtefactStore
) -> None:
    # given a status message as a platform or the buyer would send it
    xml = build_cdar(status_message(code, reason_code=reason))
    # when validated against the official artefacts
    report = validate_cdar(xml, cdar_store)
    # then it passes both the schema and the French lifecycle rules
    assert report.artefacts == ("xsd-cdar", "br-fr-cdar")
    assert report.errors == ()


def test_a_cashed_status_carries_the_amounts_collected_per_vat_rate(cdar_store: ArtefactStore) -> None:
    # given 212 Encaissée with the amount collected at 20 %
    message = status_message(212, collected=((Decimal("1200.00"), Decimal("20.00")),))
    xml = build_cdar(message)
    # then the official rules accept it and the reader gives the amounts back
    assert validate_cdar(xml, cdar_store).errors == ()
    assert parse_cdar(xml).events[0].collected == ((Decimal("1200.00"), Decimal("20.00")),)


def test_a_refusal_without_reason_breaks_the_official_rules(cdar_store: ArtefactStore) -> None:
    # given 210 Refusée with no reason code (BR-FR-CDV-15 requires one)
    report = validate_cdar(build_cdar(status_message(210)), cdar_store)
    # then the rule fires
    assert "BR-FR-CDV-15/MDT-113" in report.error_rule_ids()


def test_reader_gives_back_every_field_of_a_refusal() -> None:
    # given a refusal written by the buyer's platform
    xml = build_cdar(status_message(210, reason_code="TX_TVA_ERR", reason_text="TVA à 10 %, pas 20 %"))
    # when read
    message = parse_cdar(xml)
    # then the invoice, the status, its reason and its date are there
    (event,) = message.events
    assert (event.invoice_number, event.code, event.reason_code) == ("FAC-2026-00001", 210, "TX_TVA_ERR")
    assert event.reason_text == "TVA à 10 %, pas 20 %"
    assert event.invoice_issue_date == dt.date(2026, 11, 20)
    assert event.seller_id == "552100554"
    assert event.occurred_at == WHEN
    assert message.sender.scheme == "0238"
    assert message.message_id == "CDV-0001"


invoice_numbers = st.from_regex(r"[A-Za-z0-9+\-_/]{1,35}", fullmatch=True)
free_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=200
).filter(lambda t: t.strip() == t)
moments = st.datetimes(
    min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2099, 12, 31), timezones=st.just(dt.UTC)
).map(lambda d: d.replace(microsecond=0))


@settings(max_examples=60, deadline=None)
@given(number=invoice_numbers, code=st.sampled_from(sorted(STATUSES)), text=free_text, when=moments)
def test_any_status_survives_a_write_read_round_trip(
    number: str, code: int, text: str, when: dt.datetime
) -> None:
    xml = build_cdar(
        status_message(code, number=number, reason_code="AUTRE", reason_text=text, occurred_at=when)
    )
    (event,) = parse_cdar(xml).events
    assert (event.invoice_number, event.code, event.reason_text, event.occurred_at) == (
        number,
        code,
        text,
        when,
    )


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<rsm:CrossDomainAcknowledgementAndResponse xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossDomainAcknowledgementAndResponse:100">&x;</rsm:CrossDomainAcknowledgementAndResponse>"""
LAUGHS = b"""<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><l>&c;</l>"""


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (XXE, "DOCTYPE"),
        (LAUGHS, "DOCTYPE"),
        (b"", "empty"),
        (b"\xff\xfe\x00garbage", "XML"),
        (build_cdar(status_message(205))[:-60], "well-formed"),
        (b"<Invoice xmlns='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'/>", "not a CDAR"),
        (build_cdar(status_message(205)).replace(b">205<", b">2x5<"), "3-digit"),
        (
            build_cdar(status_message(205)).replace(
                b"<ram:ProcessConditionCode>205</ram:ProcessConditionCode>", b""
            ),
            "MDT-105",
        ),  # fmt: skip
        (build_cdar(status_message(205)).replace(b"20261123103000", b"20261345103000"), "date-time"),
        (b" " * (MAX_CDAR_BYTES + 1), "limit"),
    ],
)
def test_hostile_or_broken_messages_are_refused_with_a_clear_error(data: bytes, why: str) -> None:
    with pytest.raises(LifecycleMessageError, match=why):
        parse_cdar(data)


@settings(max_examples=200, deadline=None)
@given(
    st.binary(max_size=2000)
    | st.builds(
        lambda b, i: b[:i],
        st.just(build_cdar(status_message(210, reason_code="AUTRE"))),
        st.integers(0, 3000),
    )
)
def test_arbitrary_bytes_never_crash_the_reader(data: bytes) -> None:
    try:
        message = parse_cdar(data)
    except LifecycleMessageError:
        return
    assert message.events
