"""The reminder email to late approvers: what waits, since when, and the link to the approval page (the
page asks them to sign in first; they decide there, through the same services)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from facturier.approvals import engine
from facturier.approvals.models import ApprovalRequest, SubjectType

URL_NAMES = {
    SubjectType.DOCUMENT: "web:approval-detail",
    SubjectType.RECEIVED_INVOICE: "web:approval-received",
}


def approval_url(request: ApprovalRequest) -> str:
    path = reverse(URL_NAMES[SubjectType(request.subject_type)], kwargs={"pk": request.subject_id})
    return f"{settings.FACTURIER_PUBLIC_URL.rstrip('/')}{path}"


def send_reminder(request: ApprovalRequest, day: dt.date) -> list[str]:
    """Email every approver of the current level (delegates in place of the absent); their addresses.
    Nothing is sent when email is not configured (``EMAIL_URL`` unset), as for every other email."""
    ids = engine.level_candidates(request, day)
    users = get_user_model().objects.filter(pk__in=ids, is_active=True).exclude(email="").order_by("email")
    recipients = [user.email for user in users]
    if not recipients or not settings.EMAIL_URL:
        return recipients if settings.EMAIL_URL else []
    url = approval_url(request)
    with override("fr"):
        subject = _("Approval waiting: %(label)s") % {"label": request.label}
        body = _(
            "Hello,\n\n%(label)s waits for your approval since %(since)s (rule “%(rule)s”).\n\n"
            "Approve or reject it here (you will be asked to sign in):\n%(url)s\n\n%(entity)s"
        ) % {
            "label": request.label, "since": request.level_started_at.strftime("%Y-%m-%d %H:%M UTC"),
            "rule": request.plan[request.level]["rule"], "url": url, "entity": request.entity.name,
        }  # fmt: skip
    send_mail(subject, body, None, recipients, fail_silently=False)
    return recipients
