"""Reads about entities and what a user may do in them (the UI asks; services ask `authorization.authorize`)."""

from typing import Any

from django.db.models import QuerySet

from facturier.accounts.models import LegalEntity, Membership
from facturier.accounts.roles import Action, role_allows

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
