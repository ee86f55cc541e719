"""Named business errors. Each has a stable `code` (API problem+json, UI messages) and, when it is about
one input, the offending `field`."""

from typing import Any


class BusinessError(Exception):
    """Base of every refused business operation: nothing was written."""

    code = "business_error"
    status = 400

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None, **extra: Any):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code
        self.extra = extra


class ValidationFailed(BusinessError):
    code = "validation_error"
    status = 422


class NotFound(BusinessError):
    code = "not_found"
    status = 404


class PermissionDenied(BusinessError):
    code = "permission_denied"
    status = 403


class Conflict(BusinessError):
    """The operation conflicts with the current state (illegal transition, already issued...)."""

    code = "conflict"
    status = 409
