"""Every staff page: signed in, working in one of the user's entities, and seeing only that entity's rows.

The entity a user works in is kept in the session (the switcher in the header sets it) and defaults to
their first membership. `staff_view` resolves it on each request and hands the view an `EntityRequest`,
so views read `request.entity` and `request.role` with their types, and no view can forget the check.
"""

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, Model, OuterRef, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from facturier.accounts.models import LegalEntity, Membership

SESSION_KEY = "facturier.entity_id"
_MEMBERSHIPS = "_facturier_memberships"


class EntityRequest(HttpRequest):
    """An HttpRequest of a signed-in member: the entity they work in and their role there."""

    entity: LegalEntity
    role: str
    user_entities: list[LegalEntity]


StaffView = Callable[..., HttpResponse]
M = TypeVar("M", bound=Model)


def of_entity(model: type[M], entity: LegalEntity) -> QuerySet[M]:
    """The rows of one entity (what `TenantQuerySet.for_entity` does, with a type for mypy)."""
    return cast(QuerySet[M], model.objects.filter(entity=entity))  # type: ignore[attr-defined]


def memberships_of(request: HttpRequest) -> list[Membership]:
    """The signed-in user's memberships with their entities, by entity name, each annotated `enrolled`
    (whether the user has a confirmed authenticator), read once per request: the second-factor gate
    (`web.two_factor`) and `select_entity` both need them, and every staff page would otherwise read
    them twice (issue 9: queries of every page cost CPU to build and read)."""
    pk = request.user.pk or 0
    cached = getattr(request, _MEMBERSHIPS, None)
    if cached is not None and cached[0] == pk:
        return cast(list[Membership], cached[1])
    enrolled = TOTPDevice.objects.filter(user=OuterRef("user"), confirmed=True)
    memberships: list[Membership] = list(
        Membership.objects.filter(user__pk=pk)
        .select_related("entity")
        .annotate(enrolled=Exists(enrolled))
        .order_by("entity__name")
    )
    setattr(request, _MEMBERSHIPS, (pk, memberships))
    return memberships


def select_entity(request: HttpRequest) -> Membership | None:
    """The membership the request works under: the one chosen in the session, else the first one."""
    memberships = memberships_of(request)
    if not memberships:
        return None
    wanted = request.session.get(SESSION_KEY)
    chosen = next((m for m in memberships if str(m.entity_id) == wanted), memberships[0])
    typed = cast(EntityRequest, request)
    typed.entity = chosen.entity
    typed.role = chosen.role
    typed.user_entities = [m.entity for m in memberships]
    return chosen


def site_language_first(request: HttpRequest) -> None:
    """French unless the user picked another language in the switcher (a cookie): the browser's
    Accept-Language alone does not turn a French invoicing tool into an English one."""
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        translation.activate(settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = settings.LANGUAGE_CODE


def staff_view(view: StaffView) -> StaffView:
    """Require a signed-in user with at least one entity; users without any membership get a clear page."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        site_language_first(request)
        if select_entity(request) is None:
            return render(request, "web/no_entity.html", status=403)
        return view(cast(EntityRequest, request), *args, **kwargs)

    return wrapper


@require_POST
@login_required
def switch_entity(request: HttpRequest) -> HttpResponse:
    """Work in another of the user's entities; one they are not a member of does not exist (404)."""
    wanted = request.POST.get("entity", "")
    if not Membership.objects.filter(user__pk=request.user.pk or 0, entity__in=_valid_uuid(wanted)).exists():
        raise Http404
    request.session[SESSION_KEY] = wanted
    return redirect("web:dashboard")  # the page shown before belongs to the other entity


def _valid_uuid(value: str) -> list[uuid.UUID]:
    try:
        return [uuid.UUID(value)]
    except ValueError:
        return []
