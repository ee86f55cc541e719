"""Which profile a serializer writes: an explicit choice or the invoice's own BT-24."""

from __future__ import annotations

from facturier.domain.en16931.codes import GUIDELINE_IDS, Profile, profile_for_guideline

AUTO = "auto"
"""Keep the invoice's BT-24 as is and write what the profile it names allows."""


def resolve_profile(profile: str, specification_identifier: str) -> tuple[Profile | None, str]:
    """Return (profile or None when unknown, BT-24 value to write).

    ``profile`` is ``AUTO``, a ``Profile`` name (``"EN16931"``, ``"BASICWL"``, ``"PEPPOL"``...)
    or a BT-24 URN. An explicit profile also sets BT-24 to its guideline id.
    """
    if profile == AUTO:
        return profile_for_guideline(specification_identifier), specification_identifier
    if profile in Profile.__members__.values():
        chosen = Profile(profile)
        return chosen, GUIDELINE_IDS[chosen]
    by_urn = profile_for_guideline(profile)
    if by_urn is not None:
        return by_urn, profile
    known = ", ".join(member.value for member in Profile)
    raise ValueError(f"unknown profile {profile!r}: use {AUTO!r}, one of {known}, or a BT-24 URN")
