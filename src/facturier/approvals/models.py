"""Approval circuits: the entity's rules, absences with their delegates, and one request per submission
of a document with every decision taken on it.

The approvals app sits below invoicing and the inbox: it never imports them. A request names its subject
generically (``subject_type`` + ``subject_id``) and keeps the facts the rules were evaluated on, so the
circuit shown to an approver is the one that was decided at submission even if the rules change later.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from facturier.common.models import TenantModel


class SubjectType(models.TextChoices):
    DOCUMENT = "document", _("Invoice or credit note")
    RECEIVED_INVOICE = "received_invoice", _("Supplier invoice")


class ApprovalRule(TenantModel):
    """One rule: conditions (empty = any) and the levels it asks for, as
    ``[{"label": str, "roles": [role], "users": [user id], "required": n}]`` in order."""

    name = models.CharField(_("name"), max_length=100)
    priority = models.IntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)
    exception = models.BooleanField(_("exception (replaces the other rules)"), default=False)
    document_types = models.JSONField(_("document types"), default=list, blank=True)
    min_amount = models.DecimalField(_("from amount"), max_digits=20, decimal_places=2, null=True, blank=True)
    max_amount = models.DecimalField(
        _("below amount"), max_digits=20, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    parties = models.JSONField(_("customers or suppliers"), default=list, blank=True)
    cost_centres = models.JSONField(_("cost centres"), default=list, blank=True)
    countries = models.JSONField(_("countries"), default=list, blank=True)
    projects = models.JSONField(_("projects"), default=list, blank=True)
    levels = models.JSONField(_("levels"), default=list)
    remind_after_hours = models.PositiveIntegerField(_("remind after (hours)"), default=24)
    escalate_after_hours = models.PositiveIntegerField(_("escalate after (hours)"), null=True, blank=True)
    fallback_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("fallback approver"),
    )  # fmt: skip

    class Meta:
        ordering = ["priority", "name"]
        constraints = [models.UniqueConstraint(fields=["entity", "name"], name="approvals_rule_unique_name")]

    def __str__(self) -> str:
        return self.name


class Delegation(TenantModel):
    """While ``user`` is away (``starts_on`` to ``ends_on`` inclusive, entity dates), ``delegate`` decides
    in their place."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    delegate = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))

    class Meta:
        ordering = ["starts_on"]


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ApprovalRequest(TenantModel):
    """One submission of one subject through its circuit. ``plan`` is the levels as planned (with the
    rule each came from, and its reminder and escalation delays); ``findings`` the pre-checks."""

    subject_type = models.CharField(max_length=20, choices=SubjectType.choices)
    subject_id = models.UUIDField()
    label = models.CharField(max_length=300)
    facts = models.JSONField(default=dict)
    author_refs = models.JSONField(default=list)  # who created or submitted it: never its approver
    plan = models.JSONField(default=list)
    findings = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    level = models.PositiveIntegerField(default=0)
    level_started_at = models.DateTimeField()
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    skipped = models.JSONField(default=list, blank=True)
    escalated = models.JSONField(default=list, blank=True)
    extra_approvers = models.JSONField(default=dict, blank=True)
    submitted_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id"], condition=models.Q(status="pending"),
                name="approvals_one_pending_request",
            )
        ]  # fmt: skip
        indexes = [models.Index(fields=["entity", "status"], name="approvals_entity_status")]

    def __str__(self) -> str:
        return self.label

    # authorize's Subject protocol
    def scope_resource(self) -> str:
        return {"credit_note": "credit_notes", "supplier_invoice": "inbox"}.get(
            str(self.facts.get("document_type")), "invoices"
        )

    def authors(self) -> frozenset[str]:
        return frozenset(self.author_refs)

    @property
    def document_type(self) -> str:
        return str(self.facts.get("document_type", ""))

    @property
    def current(self) -> dict[str, object] | None:
        """The level waiting for decisions (None once finished)."""
        if self.status != RequestStatus.PENDING or self.level >= len(self.plan):
            return None
        return dict(self.plan[self.level])


class Decision(models.TextChoices):
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    ESCALATED = "escalated", _("Escalated")
    REMINDED = "reminded", _("Reminder sent")


class ApprovalDecision(TenantModel):
    """The history of a request: every decision, reminder and escalation, never changed."""

    request = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE, related_name="decisions")
    level = models.PositiveIntegerField()
    decision = models.CharField(max_length=10, choices=Decision.choices)
    actor_ref = models.CharField(max_length=60, blank=True)
    actor_label = models.CharField(max_length=200)
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    comment = models.TextField(blank=True)
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["decided_at", "created_at"]
