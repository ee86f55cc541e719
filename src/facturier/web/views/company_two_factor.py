"""The company page's two-factor section, for administrators: the entity's policy and, for a colleague
who lost their phone, removing their second factor (they set up a new one at their next sign-in)."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from facturier.accounts import two_factor
from facturier.accounts.actor import as_actor
from facturier.accounts.models import LegalEntity, Membership
from facturier.common.errors import BusinessError
from facturier.web.access import EntityRequest, staff_view
from facturier.web.error_messages import explain
from facturier.web.forms.two_factor import PolicyForm


def two_factor_section(request: EntityRequest, form: PolicyForm | None = None) -> dict[str, Any]:
    """What the company page shows: the policy form and, per member, whether they have a second factor
    and whether the policy requires it of them."""
    entity = LegalEntity.objects.get(pk=request.entity.pk)
    members = Membership.objects.filter(entity=entity).select_related("user").order_by("user__username")
    enrolled = set(
        TOTPDevice.objects.filter(user__in=[m.user for m in members], confirmed=True).values_list(
            "user_id", flat=True
        )
    )
    return {
        "form": form
        or PolicyForm(initial={"two_factor_policy": entity.two_factor_policy}, prefix="two-factor"),
        "rows": [
            {
                "membership": m,
                "enrolled": m.user_id in enrolled,
                "required": two_factor.policy_requires(entity.two_factor_policy, m.role),
                "is_me": m.user_id == request.user.pk,
            }
            for m in members
        ],
    }


@require_POST
@staff_view
def company_two_factor_policy(request: EntityRequest) -> HttpResponse:
    from facturier.web.views.company import _page, _require_admin

    _require_admin(request)
    form = PolicyForm(request.POST, prefix="two-factor")
    if form.is_valid():
        try:
            two_factor.two_factor_policy_set(
                entity=request.entity,
                policy=form.cleaned_data["two_factor_policy"],
                by=as_actor(request.user),
            )
        except BusinessError as error:
            form.add_error("two_factor_policy", explain(error))
        else:
            messages.success(request, _("Two-factor policy saved."))
            return redirect("web:company-settings")
    return _page(request, status=422, two_factor_form=form)


@require_POST
@staff_view
def company_two_factor_reset(request: EntityRequest, pk: str) -> HttpResponse:
    from facturier.web.views.company import _require_admin

    _require_admin(request)
    membership = Membership.objects.filter(entity=request.entity, pk=pk).select_related("user").first()
    if membership is None:
        raise Http404
    try:
        two_factor.two_factor_reset(entity=request.entity, user=membership.user, by=as_actor(request.user))
    except BusinessError as error:
        messages.error(request, explain(error))
    else:
        name = {"username": membership.user.get_username()}
        if two_factor.is_required(membership.user):
            done = _(
                "Two-factor authentication of %(username)s removed: they set up a new one at their next sign-in."
            )
        else:
            done = _("Two-factor authentication of %(username)s removed.")
        messages.success(request, done % name)
    return redirect("web:company-settings")
