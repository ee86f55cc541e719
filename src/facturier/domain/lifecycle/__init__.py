"""Invoice lifecycle statuses of the French reform and the CDAR messages that carry them (pure code)."""

from facturier.domain.lifecycle.cdar import (
    CDAR_NS,
    MAX_CDAR_BYTES,
    CdarMessage,
    CdarParty,
    LifecycleMessageError,
    StatusEvent,
    build_cdar,
    parse_cdar,
)
from facturier.domain.lifecycle.statuses import (
    NEEDS_ACTION,
    NEEDS_REASON,
    REASON_CODES,
    REASONS_BY_STATUS,
    STATUSES,
    LifecycleCode,
    StatusInfo,
    is_known_code,
    reason_allowed,
)

__all__ = [
    "CDAR_NS",
    "MAX_CDAR_BYTES",
    "NEEDS_ACTION",
    "NEEDS_REASON",
    "REASONS_BY_STATUS",
    "REASON_CODES",
    "STATUSES",
    "CdarMessage",
    "CdarParty",
    "LifecycleCode",
    "LifecycleMessageError",
    "StatusEvent",
    "StatusInfo",
    "build_cdar",
    "is_known_code",
    "parse_cdar",
    "reason_allowed",
]
