"""Roles a user holds in a legal entity and what each may do.

One table, read by services (which refuse) and by the UI (which hides buttons), so both always agree.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    ACCOUNTANT = "accountant", _("Accountant")
    SALES = "sales", _("Sales")
    APPROVER = "approver", _("Approver")
    AUDITOR = "auditor", _("Auditor (read-only)")


class Action(models.TextChoices):
    VIEW = "view", _("View")
    EDIT_PARTIES = "edit_parties", _("Edit customers")
    EDIT_CATALOG = "edit_catalog", _("Edit products")
    EDIT_DOCUMENTS = "edit_documents", _("Edit quotes, orders and draft invoices")
    SUBMIT = "submit", _("Submit for approval")
    APPROVE = "approve", _("Approve or reject")
    # Rejecting only sends a document back to draft: its submitter may do it (to withdraw it), while
    # approving it is refused to them (accounts.authorization).
    REJECT = "reject", _("Reject")
    ISSUE = "issue", _("Issue invoices")
    CREDIT = "credit", _("Create credit notes")
    RECORD_PAYMENT = "record_payment", _("Record payments")
    MANAGE_ENTITY = "manage_entity", _("Manage the company")


_ALL = frozenset(Role)
PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.VIEW: _ALL,
    Action.EDIT_PARTIES: frozenset({Role.ADMIN, Role.ACCOUNTANT, Role.SALES}),
    Action.EDIT_CATALOG: frozenset({Role.ADMIN, Role.ACCOUNTANT}),
    Action.EDIT_DOCUMENTS: frozenset({Role.ADMIN, Role.ACCOUNTANT, Role.SALES}),
    Action.SUBMIT: frozenset({Role.ADMIN, Role.ACCOUNTANT, Role.SALES}),
    Action.APPROVE: frozenset({Role.ADMIN, Role.APPROVER}),
    Action.REJECT: frozenset({Role.ADMIN, Role.APPROVER}),
    Action.ISSUE: frozenset({Role.ADMIN, Role.ACCOUNTANT}),
    Action.CREDIT: frozenset({Role.ADMIN, Role.ACCOUNTANT}),
    Action.RECORD_PAYMENT: frozenset({Role.ADMIN, Role.ACCOUNTANT}),
    Action.MANAGE_ENTITY: frozenset({Role.ADMIN}),
}


def role_allows(role: str, action: Action) -> bool:
    return Role(role) in PERMISSIONS[action]


def scopes_grant(granted: frozenset[str] | set[str], scope: str) -> bool:
    """Whether scopes `granted` to an API key (or OAuth2 token) cover `scope` (`<resource>:<level>`).

    `*` covers everything; `write` and `approve` each imply `read` of their resource; neither implies the other.
    """
    resource, _, level = scope.partition(":")
    if scope in granted or "*" in granted:
        return True
    return level == "read" and bool({f"{resource}:write", f"{resource}:approve"} & granted)
