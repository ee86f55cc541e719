"""Reads about entities and what a user may do in them."""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from facturier.accounts.models import LegalEntity, Membership
from facturier.accounts.roles import Action, role_allows
from facturier.common.errors import PermissionDenied

AnyUser = Any  # a User, or AnonymousUser: both answer is_authenticated


def entities_for_user(user: AnyUser) -> QuerySet[LegalEntity]:
    if not user.is_authenticated:
        return LegalEntity.objects.none()
    return LegalEntity.objects.filter(memberships__user=user).distinct()


def role_of(user: AnyUser, entity: LegalEntity) -> str | None:
    if not user.is_authenticated:
        return None
    membership = Membership.objects.filter(user=user, entity=entity).only("role").first()
    return membership.role if membership else None


def can(user: AnyUser, entity: LegalEntity, action: Action) -> bool:
    role = role_of(user, entity)
    return role is not None and role_allows(role, action)


def require(user: AnyUser | None, entity: LegalEntity, action: Action) -> None:
    """Raise PermissionDenied unless the user's role in the entity allows the action.

    `user=None` means a trusted caller (API key already checked for scope, CLI, jobs).
    """
    if user is None:
        return
    if not can(user, entity, action):
        raise PermissionDenied(
            _("Your role does not allow '%(label)s' in %(name)s.")
            % {"label": action.label, "name": entity.name}
        )
