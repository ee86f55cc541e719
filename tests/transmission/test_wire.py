"""Wire-level pieces: webhook signatures, Chorus Pro status mapping (EMAIL_URL: test_email_url.py)."""

from __future__ import annotations

import time

from hypothesis import given
from hypothesis import strategies as st

from facturier.domain.lifecycle import STATUSES
from facturier.transmission.chorus_pro.statuses import DEFAULT_REASONS, INVOICE_STATUS_TO_LIFECYCLE
from facturier.transmission.pdp import signature

NOW = 1_795_000_000


@given(body=st.binary(max_size=500), key=st.binary(min_size=16, max_size=64), flip=st.integers(0, 499))
def test_a_signature_verifies_only_the_exact_body_it_signed(body: bytes, key: bytes, flip: int) -> None:
    signed = signature.sign(body, NOW, key)
    assert signature.verify(body, signed, str(NOW), key, now=NOW)
    if body:
        index = flip % len(body)
        tampered = body[:index] + bytes([body[index] ^ 1]) + body[index + 1 :]
        assert not signature.verify(tampered, signed, str(NOW), key, now=NOW)
    assert not signature.verify(body, signed, str(NOW), key + b"x", now=NOW)


def test_a_signature_outside_five_minutes_is_refused() -> None:
    signed = signature.sign(b"{}", NOW, b"k" * 32)
    assert signature.verify(b"{}", signed, str(NOW), b"k" * 32, now=NOW + 299)
    assert not signature.verify(b"{}", signed, str(NOW), b"k" * 32, now=NOW + 301)
    assert not signature.verify(b"{}", signed, "not-a-number", b"k" * 32, now=time.time())


def test_every_chorus_pro_status_maps_to_a_reform_status_with_its_required_reason() -> None:
    assert set(INVOICE_STATUS_TO_LIFECYCLE.values()) <= set(STATUSES)
    assert INVOICE_STATUS_TO_LIFECYCLE["DEPOSEE"] == 200
    assert INVOICE_STATUS_TO_LIFECYCLE["MISE_A_DISPOSITION"] == 203
    assert INVOICE_STATUS_TO_LIFECYCLE["REJETEE"] == 210
    assert INVOICE_STATUS_TO_LIFECYCLE["SUSPENDUE"] == 208
    assert INVOICE_STATUS_TO_LIFECYCLE["MISE_EN_PAIEMENT"] == 211
    needing_reason = {
        s for s, code in INVOICE_STATUS_TO_LIFECYCLE.items() if code in (206, 207, 208, 210, 213)
    }
    assert needing_reason <= set(DEFAULT_REASONS)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
chorus_keys = st.sampled_from(["etatCourantDepotFlux", "listeErreurTechnique", "listeErreurDP", "listeFactures",
                               "dateHeureEtatCourantFlux", "statut", "libelleErreur"])  # fmt: skip
chorus_answers = st.dictionaries(
    chorus_keys, json_values | st.sampled_from(["IN_REJETE", "IN_INTEGRE"]), max_size=5
)
platform_flows = st.dictionaries(
    st.sampled_from(["acknowledgement", "updatedAt", "flowId", "status", "details"]),
    json_values
    | st.fixed_dictionaries({"status": st.sampled_from(["Ok", "Error", "Pending"]), "details": json_values}),
    max_size=4,
)


@given(report=chorus_answers, found=chorus_answers)
def test_malformed_chorus_pro_answers_never_crash_the_status_mapping(report, found) -> None:  # type: ignore[no-untyped-def]
    from facturier.transmission.chorus_pro.channel import flow_report_statuses, invoice_statuses

    statuses = flow_report_statuses(report)
    assert statuses is None or all(s.code == 213 for s in statuses)
    assert all(s.code in STATUSES for s in invoice_statuses(found))


@given(flow=platform_flows)
def test_malformed_platform_flows_never_crash_the_acknowledgement_mapping(flow) -> None:  # type: ignore[no-untyped-def]
    from facturier.transmission.pdp.channel import acknowledgement_statuses

    assert {s.code for s in acknowledgement_statuses(flow)} <= {200, 213}


def test_signatures_of_the_three_readings_of_the_annex_are_accepted() -> None:
    import base64
    import hashlib
    import hmac

    body, key = b'{"flowId":"F1"}', b"k" * 32
    signed = body + b"@" + str(NOW).encode()
    for message in (hashlib.sha256(signed).hexdigest().encode(), hashlib.sha256(signed).digest(), signed):
        given = base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()
        assert signature.verify(body, given, str(NOW), key, now=NOW)
