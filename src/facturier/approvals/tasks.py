"""Scheduled jobs of the approval circuits (schedules `approval-reminders` and `approval-escalations`)."""

from django_tasks import task


@task()
def remind_late_approvers() -> int:
    from facturier.approvals.services import remind_late

    return remind_late()


@task()
def escalate_late_approvals() -> int:
    from facturier.approvals.services import escalate_late

    return escalate_late()
