"""The company page, for the entity's administrators: settings, numbering series and members.

Every change goes through an accounts or invoicing service (one transaction, audited); a refused change
re-renders the page with the error on the field it names and nothing written. Other roles get 403, and a
series or member of another company does not exist (404).
"""

from pathlib import PurePath
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from facturier.accounts.actor import as_actor
from facturier.accounts.login_guard import locked_accounts, unlock_account
from facturier.accounts.models import LegalEntity, Membership
from facturier.accounts.roles import Action, role_allows
from facturier.accounts.services import entity_update, membership_change
from facturier.common.errors import BusinessError
from facturier.invoicing.models import NumberingSeries
from facturier.invoicing.numbering import default_series_for
from facturier.invoicing.services.common import entity_today
from facturier.invoicing.services.numbering_settings import numbering_series_update, open_period_counters
from facturier.web.access import EntityRequest, staff_view
from facturier.web.forms.company import SECTIONS, CompanyForm, MemberAddForm, MemberRoleForm, SeriesForm
from facturier.web.views.company_two_factor import two_factor_section

SERIES_LABELS = {
    "invoice": gettext_lazy("Invoices and deposits"),
    "credit_note": gettext_lazy("Credit notes"),
    "quote": gettext_lazy("Quotes"),
    "order": gettext_lazy("Orders"),
}
LOGO_CONTENT_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
}


def _require_admin(request: EntityRequest) -> None:
    if not role_allows(request.role, Action.MANAGE_ENTITY):
        raise PermissionDenied  # 403: the page exists, the role may not manage it


def _series_rows(
    request: EntityRequest, bound: SeriesForm | None, bound_pk: str | None
) -> list[dict[str, Any]]:
    today = entity_today(request.entity)
    default_series_for(request.entity)
    rows = []
    for series in NumberingSeries.objects.filter(entity=request.entity).order_by("code"):
        busy = open_period_counters(series, today)
        form = bound if bound is not None and str(series.pk) == bound_pk else None
        rows.append(
            {
                "series": series,
                "label": SERIES_LABELS.get(series.code, series.code),
                "locked_period": busy[-1].period if busy else "",
                "issued": busy[-1].last_value if busy else 0,
                "form": form or SeriesForm(initial={"pattern": series.pattern, "reset": series.reset},
                                           prefix=str(series.pk)),
            }
        )  # fmt: skip
    return rows


def _page(request: EntityRequest, *, status: int = 200, **forms: Any) -> HttpResponse:
    company_form = forms.get("company_form") or CompanyForm(
        instance=LegalEntity.objects.get(pk=request.entity.pk)
    )
    members = (
        Membership.objects.filter(entity=request.entity).select_related("user").order_by("user__username")
    )
    role_form, role_pk = forms.get("role_form"), forms.get("role_pk")
    locks = locked_accounts([m.user.get_username() for m in members])
    return render(
        request,
        "web/company/settings.html",
        {
            "form": company_form,
            "sections": SECTIONS,
            "series_rows": _series_rows(request, forms.get("series_form"), forms.get("series_pk")),
            "members": [
                {
                    "membership": m,
                    "form": role_form
                    if role_form and str(m.pk) == role_pk
                    else MemberRoleForm(initial={"role": m.role}, prefix=str(m.pk)),
                    "locked_until": locks.get(m.user.get_username()),
                }
                for m in members
            ],  # fmt: skip
            "member_form": forms.get("member_form") or MemberAddForm(prefix="new"),
            "two_factor": two_factor_section(request, forms.get("two_factor_form")),
        },
        status=status,
    )


@staff_view
def company_settings(request: EntityRequest) -> HttpResponse:
    _require_admin(request)
    if request.method != "POST":
        return _page(request)
    form = CompanyForm(request.POST, request.FILES, instance=LegalEntity.objects.get(pk=request.entity.pk))
    if form.is_valid():
        try:
            entity_update(entity=request.entity, by=as_actor(request.user), **form.values())
        except BusinessError as error:
            form.attach(error)
        else:
            messages.success(request, _("Company settings saved."))
            return redirect("web:company-settings")
    return _page(request, company_form=form)


@require_POST
@staff_view
def company_series(request: EntityRequest, pk: str) -> HttpResponse:
    _require_admin(request)
    series = NumberingSeries.objects.filter(entity=request.entity, pk=pk).first()
    if series is None:
        raise Http404
    form = SeriesForm(request.POST, prefix=str(series.pk))
    if form.is_valid():
        try:
            numbering_series_update(series=series, by=as_actor(request.user), **form.cleaned_data)
        except BusinessError as error:
            form.attach(error)
        else:
            messages.success(request, _("Numbering series saved."))
            return redirect("web:company-settings")
    return _page(request, series_form=form, series_pk=str(series.pk))


@require_POST
@staff_view
def company_member_add(request: EntityRequest) -> HttpResponse:
    _require_admin(request)
    form = MemberAddForm(request.POST, prefix="new")
    if form.is_valid():
        user = get_user_model().objects.filter(username=form.cleaned_data["username"].strip()).first()
        if user is None:
            form.add_error("username", _("No user has this username."))
        else:
            try:
                membership_change(
                    entity=request.entity,
                    user=user,
                    role=form.cleaned_data["role"],
                    by=as_actor(request.user),
                )
            except BusinessError as error:
                form.attach(error)
            else:
                messages.success(request, _("Member saved."))
                return redirect("web:company-settings")
    return _page(request, member_form=form)


@require_POST
@staff_view
def company_member_role(request: EntityRequest, pk: str) -> HttpResponse:
    _require_admin(request)
    membership = Membership.objects.filter(entity=request.entity, pk=pk).select_related("user").first()
    if membership is None:
        raise Http404
    form = MemberRoleForm(request.POST, prefix=str(membership.pk))
    if form.is_valid():
        try:
            membership_change(
                entity=request.entity,
                user=membership.user,
                role=form.cleaned_data["role"],
                by=as_actor(request.user),
            )
        except BusinessError as error:
            form.attach(error)
        else:
            messages.success(request, _("Member saved."))
            return redirect("web:company-settings")
    return _page(request, role_form=form, role_pk=str(membership.pk))


@require_POST
@staff_view
def company_member_unlock(request: EntityRequest, pk: str) -> HttpResponse:
    """Lift a member's sign-in lock (too many failed attempts) before it expires; audited."""
    _require_admin(request)
    membership = Membership.objects.filter(entity=request.entity, pk=pk).select_related("user").first()
    if membership is None:
        raise Http404
    username = membership.user.get_username()
    unlock_account(username=username, by=as_actor(request.user), entity=request.entity)
    messages.success(request, _("%(username)s can sign in again.") % {"username": username})
    return redirect("web:company-settings")


@staff_view
def company_logo(request: EntityRequest) -> HttpResponse:
    """The logo of the entity the member works in, for the settings page (media files are not served).

    An SVG is sent with a sandboxing policy: a script inside an uploaded drawing never runs as the site.
    """
    logo = LegalEntity.objects.get(pk=request.entity.pk).logo
    content_type = LOGO_CONTENT_TYPES.get(PurePath(logo.name or "").suffix.lower())
    if not logo or content_type is None:
        raise Http404
    try:
        with logo.open("rb") as handle:
            data = handle.read()
    except OSError:
        raise Http404 from None
    response = HttpResponse(data, content_type=content_type)
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response
