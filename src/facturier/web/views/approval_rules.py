"""The approval rules and delegations page (/approvals/rules/), for the entity's administrators.

Rules and absences are saved through the approvals services (audited, one transaction); a rule that
would leave documents with nobody to approve them is refused with the reason on the form.
"""

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from facturier.accounts.actor import as_actor
from facturier.accounts.models import Membership
from facturier.accounts.roles import Action, Role, role_allows
from facturier.approvals import services
from facturier.approvals.models import ApprovalRule, Delegation
from facturier.approvals.selectors import delegations_of, rules_of
from facturier.common.errors import BusinessError
from facturier.parties.models import Customer
from facturier.web.access import EntityRequest, staff_view
from facturier.web.error_messages import explain
from facturier.web.forms.approvals import DelegationForm, RuleForm


def _require_admin(request: EntityRequest) -> None:
    if not role_allows(request.role, Action.MANAGE_ENTITY):
        raise PermissionDenied


def _approvers(request: EntityRequest) -> list[tuple[str, str]]:
    rows = Membership.objects.filter(
        entity=request.entity, role__in=[Role.ADMIN, Role.APPROVER]
    ).select_related("user")
    return sorted(
        ((str(m.user.pk), m.user.get_full_name() or m.user.get_username()) for m in rows), key=lambda c: c[1]
    )


def _customer_names(request: EntityRequest, rules: list[ApprovalRule]) -> dict[str, str]:
    """The names of the customers the rules name (only those: never every customer, issue 9)."""
    named = set()
    for party in (party for rule in rules for party in rule.parties):
        try:
            named.add(uuid.UUID(str(party)))
        except ValueError:
            continue  # not a customer's id (the API takes any party): shown as given
    rows = Customer.objects.filter(entity=request.entity, pk__in=named).values_list("pk", "name")
    return {str(pk): name for pk, name in rows}


def _names(request: EntityRequest) -> dict[str, str]:
    users = get_user_model().objects.filter(memberships__entity=request.entity)
    return {str(u.pk): u.get_full_name() or u.get_username() for u in users}


def _who(level: dict[str, Any], names: dict[str, str]) -> list[str]:
    """The level's approvers as shown: role names, then named people."""
    roles = dict(Role.choices)
    return [str(roles.get(r, r)) for r in level.get("roles", [])] + [
        names.get(str(u), str(u)) for u in level.get("users", [])
    ]


def _page(
    request: EntityRequest, rule_form: RuleForm | None = None, delegation_form: DelegationForm | None = None
) -> HttpResponse:
    names = _names(request)
    found = list(rules_of(request.entity))
    customers = _customer_names(request, found)
    rules: list[dict[str, Any]] = []
    for rule in found:
        levels = [{**level, "who": _who(level, names)} for level in rule.levels]
        rules.append(
            {"rule": rule, "levels": levels, "customers": [customers.get(p, p) for p in rule.parties]}
        )
    users = _approvers(request)
    context = {
        "rules": rules,
        "delegations": delegations_of(request.entity),
        "rule_form": rule_form or RuleForm(entity=request.entity, users=users),
        "delegation_form": delegation_form or DelegationForm(users=users),
        "requires_approval": request.entity.requires_approval,
    }
    status = 400 if (rule_form or delegation_form) else 200
    return render(request, "web/approvals/rules.html", context, status=status)


@staff_view
def approval_rules(request: EntityRequest) -> HttpResponse:
    _require_admin(request)
    return _page(request)


@require_POST
@staff_view
def approval_rule_add(request: EntityRequest) -> HttpResponse:
    _require_admin(request)
    form = RuleForm(request.POST, entity=request.entity, users=_approvers(request))
    if not form.is_valid():
        return _page(request, rule_form=form)
    try:
        services.rule_save(entity=request.entity, by=as_actor(request.user), **form.values())
    except BusinessError as error:
        form.add_error(error.field if error.field in form.fields else None, explain(error))
        return _page(request, rule_form=form)
    messages.success(request, _("Approval rule saved."))
    return redirect("web:approval-rules")


@require_POST
@staff_view
def approval_rule_delete(request: EntityRequest, pk: str) -> HttpResponse:
    _require_admin(request)
    rule = get_object_or_404(ApprovalRule.objects.filter(entity=request.entity), pk=pk)
    services.rule_delete(rule=rule, by=as_actor(request.user))
    messages.success(request, _("Approval rule deleted."))
    return redirect("web:approval-rules")


@require_POST
@staff_view
def approval_delegation_add(request: EntityRequest) -> HttpResponse:
    _require_admin(request)
    form = DelegationForm(request.POST, users=_approvers(request))
    if not form.is_valid():
        return _page(request, delegation_form=form)
    users = get_user_model().objects.filter(memberships__entity=request.entity)
    try:
        services.delegation_save(
            entity=request.entity, by=as_actor(request.user), user=users.get(pk=form.cleaned_data["user"]),
            delegate=users.get(pk=form.cleaned_data["delegate"]), starts_on=form.cleaned_data["starts_on"],
            ends_on=form.cleaned_data["ends_on"],
        )  # fmt: skip
    except BusinessError as error:
        form.add_error(error.field if error.field in form.fields else None, explain(error))
        return _page(request, delegation_form=form)
    messages.success(request, _("Delegation saved."))
    return redirect("web:approval-rules")


@require_POST
@staff_view
def approval_delegation_delete(request: EntityRequest, pk: str) -> HttpResponse:
    _require_admin(request)
    delegation = get_object_or_404(Delegation.objects.filter(entity=request.entity), pk=pk)
    services.delegation_delete(delegation=delegation, by=as_actor(request.user))
    messages.success(request, _("Delegation deleted."))
    return redirect("web:approval-rules")
