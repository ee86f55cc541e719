"""Every API error is an RFC 9457 `application/problem+json` document with a stable `code`.

Body: `type`, `title`, `status`, `detail`, `instance`, plus `code`, `field` (the offending input, as
`lines[0].quantity`) and any extra data the error carries (e.g. `findings` of e-invoice validation,
`current_status` of an illegal transition). Clients branch on `code`, never on `detail`, which is
prose in the request's language: every human message of one answer (`title`, `detail`, field errors)
is French or English as `Accept-Language` asks (LocaleMiddleware activates it; default French).
`findings` of an e-invoice refusal quote the official rules (CEN, FNFE, PEPPOL publish them in English
only): their `rule` id is what a client shows or looks up.
"""

import json
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, RequestDataTooBig
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from facturier.api.v1.schema_errors import wording
from facturier.common.errors import BusinessError

logger = logging.getLogger(__name__)

CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:facturier:problem:"


def _titles() -> dict[int, str]:
    return {
        400: _("Bad request"), 401: _("Authentication required"), 403: _("Forbidden"), 404: _("Not found"),
        405: _("Method not allowed"), 409: _("Conflict"), 413: _("Content too large"),
        415: _("Unsupported media type"), 422: _("Invalid input"), 429: _("Too many requests"),
        500: _("Internal server error"), 502: _("Bad gateway"), 503: _("Service unavailable"),
    }  # fmt: skip


def title_of(status: int) -> str:
    """The problem's `title`: the status in the request's language."""
    return _titles().get(status) or (_("Client error") if status < 500 else _("Server error"))


def problem(
    request: HttpRequest, *, status: int, code: str, detail: str, field: str | None = None, **extra: Any
) -> HttpResponse:
    """Build the problem+json response. Extra keys never overwrite the standard members."""
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + code,
        "title": title_of(status),
        "status": status,
        "detail": detail,
        "instance": request.get_full_path(),
        "code": code,
        "field": field,
    }
    body.update({name: value for name, value in extra.items() if name not in body})
    response = HttpResponse(
        json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False), status=status, content_type=CONTENT_TYPE
    )
    response["Content-Language"] = get_language() or "fr"
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="facturier"'  # RFC 6750
    return response


def field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    """Pydantic's location ('body', 'payload', 'lines', 0, 'quantity') as the services name fields."""
    parts = list(loc)
    if parts and parts[0] == "body":
        parts = parts[2:] if len(parts) > 2 else parts[1:]
    elif parts and parts[0] in ("query", "path", "header", "cookie"):
        parts = parts[1:]
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def _business_error(request: HttpRequest, error: Any) -> HttpResponse:
    response = problem(
        request,
        status=error.status,
        code=error.code,
        detail=str(error.message),
        field=error.field,
        **error.extra,
    )
    if error.status == 429 and "retry_after" in error.extra:
        response["Retry-After"] = str(error.extra["retry_after"])  # RFC 9110: seconds to wait
    return response


def _validation_error(request: HttpRequest, error: Any) -> HttpResponse:
    errors = [
        {
            "field": field_path(item.get("loc", ())),
            "message": wording(item),
            "type": item.get("type", ""),
        }
        for item in error.errors
    ]
    first = errors[0] if errors else {"field": None, "message": _("Invalid input.")}
    return problem(
        request,
        status=422,
        code="validation_error",
        detail=f"{first['field']}: {first['message']}" if first["field"] else str(first["message"]),
        field=first["field"] or None,
        errors=errors,
    )


def _authentication_error(request: HttpRequest, error: Any) -> HttpResponse:
    return problem(request, status=401, code="unauthenticated", detail=_("Authentication required."))


def _http_error(request: HttpRequest, error: Any) -> HttpResponse:
    """django-ninja's own refusals (unreadable body...): their English text is replaced by ours."""
    code = {400: "bad_request", 401: "unauthenticated", 403: "permission_denied", 404: "not_found"}
    message = str(getattr(error, "message", "") or error)
    if message.startswith("Cannot parse request body"):
        detail = _("The request body cannot be read: send valid JSON.")
    else:
        detail = title_of(error.status_code) + "."
    return problem(
        request, status=error.status_code, code=code.get(error.status_code, "http_error"), detail=detail
    )


def _database_refused(request: HttpRequest, error: Any) -> HttpResponse:
    """A value the database cannot hold (too long, out of range) that no check caught first."""
    logger.warning("Database refused a value on %s %s: %s", request.method, request.path, error)
    return problem(
        request, status=422, code="value_out_of_range",
        detail=_("A value is too long or out of range for its field."),
    )  # fmt: skip


def request_too_large(request: HttpRequest, error: Any = None) -> HttpResponse:
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE: Django refuses to read it, the client learns the limit."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return problem(
        request, status=413, code="request_too_large", max_bytes=limit,
        detail=_("The request body is larger than the %(max)s bytes allowed.") % {"max": limit},
    )  # fmt: skip


def _not_found(request: HttpRequest, error: Any) -> HttpResponse:
    return problem(request, status=404, code="not_found", detail=_("Not found."))


def _forbidden(request: HttpRequest, error: Any) -> HttpResponse:
    return problem(
        request, status=403, code="permission_denied", detail=_("Your role does not allow this action.")
    )


def _unexpected(request: HttpRequest, error: Any) -> HttpResponse:
    """A bug: log it with its traceback, tell the client nothing about the internals."""
    logger.exception("Unexpected error on %s %s", request.method, request.path, exc_info=error)
    return problem(
        request,
        status=500,
        code="internal_error",
        detail=_("An unexpected error occurred; it has been logged."),
    )


PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details; branch on `code`, show `detail`.",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string", "examples": [TYPE_PREFIX + "invalid_siren"]},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "code": {"type": "string", "description": "stable, e.g. invalid_siren, document_not_editable"},
        "field": {"type": ["string", "null"], "description": "the offending input, e.g. lines[0].quantity"},
        "errors": {"type": "array", "items": {"type": "object"}, "description": "every schema error (422)"},
        "findings": {"type": "array", "items": {"type": "object"}, "description": "e-invoice validation"},
    },
    "additionalProperties": True,
}


IDEMPOTENCY_PARAMETER: dict[str, Any] = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string", "maxLength": 255},
    "description": "Any unique string (a UUID): a retry with the same key and body replays the first "
    "response instead of acting twice; kept 24 hours.",
}


LANGUAGE_PARAMETER: dict[str, Any] = {
    "in": "header",
    "name": "Accept-Language",
    "required": False,
    "schema": {"type": "string", "examples": ["fr", "en"]},
    "description": "Language of every error message (`fr` or `en`); default French.",
}


def _document_problems(api: NinjaAPI) -> None:
    """Declare in the OpenAPI document the problem+json error body and the Accept-Language header of
    every operation, and the Idempotency-Key header every POST accepts."""
    build = api.get_openapi_schema

    def get_openapi_schema(**kwargs: Any) -> Any:
        schema = build(**kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        error = {
            "description": "Error (RFC 9457 problem+json)",
            "content": {CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for operations in schema.get("paths", {}).values():
            for method, operation in operations.items():
                if isinstance(operation, dict) and "responses" in operation:
                    operation["responses"].setdefault("default", error)
                    operation.setdefault("parameters", []).append(LANGUAGE_PARAMETER)
                if method == "post" and isinstance(operation, dict):
                    operation.setdefault("parameters", []).append(IDEMPOTENCY_PARAMETER)
        return schema

    api.get_openapi_schema = get_openapi_schema  # type: ignore[method-assign]


def install(api: NinjaAPI) -> None:
    """Replace django-ninja's default error bodies with problem+json ones, and document them."""
    _document_problems(api)
    api.add_exception_handler(BusinessError, _business_error)
    api.add_exception_handler(ValidationError, _validation_error)
    api.add_exception_handler(AuthenticationError, _authentication_error)
    api.add_exception_handler(HttpError, _http_error)
    api.add_exception_handler(DataError, _database_refused)
    api.add_exception_handler(RequestDataTooBig, request_too_large)
    api.add_exception_handler(Http404, _not_found)
    api.add_exception_handler(ObjectDoesNotExist, _not_found)
    api.add_exception_handler(PermissionDenied, _forbidden)
    api.add_exception_handler(Exception, _unexpected)
