"""The jobs page shows runs with their progress to a company administrator, in French and English."""

import pytest
from django.test import Client

from facturier.jobs.models import JobRun, RunStatus


@pytest.mark.django_db
def test_an_administrator_sees_the_job_runs_with_their_progress(owner, entity):
    # given a run half done, of the installation
    JobRun.objects.create(key="schedule:poll-statuses:2026-06-01T12:00:00Z", task="x", status=RunStatus.RUNNING,
                          done=5, total=10)  # fmt: skip
    client = Client()
    client.force_login(owner)
    # when the administrator opens the jobs page, in French then in English
    french = client.get("/jobs/").content.decode()
    client.cookies["django_language"] = "en"
    english = client.get("/jobs/").content.decode()
    # then the run shows with its progress
    assert "schedule:poll-statuses:2026-06-01T12:00:00Z" in french
    assert '<progress max="100" value="50">' in french
    assert "5/10" in french
    assert "Tâches de fond" in french
    assert "En cours" in french
    assert "Background jobs" in english
    assert "Running" in english


@pytest.mark.django_db
def test_a_member_who_does_not_manage_the_company_finds_no_jobs_page(colleague, entity):
    # given a colleague who is an accountant, not an administrator
    client = Client()
    client.force_login(colleague)
    # then the page does not exist for them
    assert client.get("/jobs/").status_code == 404


@pytest.mark.django_db
def test_a_superuser_sees_schedules_runs_and_events_in_the_admin(entity):
    from django.contrib.auth import get_user_model

    # given a superuser and a run
    admin_user = get_user_model().objects.create_superuser("root", "root@example.fr", "pw-root-123")
    JobRun.objects.create(key="schedule:purge:2026-06-01T03:15:00Z", task="x")
    client = Client()
    client.force_login(admin_user)
    # then the admin lists open
    for model in ("schedule", "jobrun", "outboxevent"):
        assert client.get(f"/admin/jobs/{model}/").status_code == 200
