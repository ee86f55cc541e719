"""The approval pages: rules and delegations settings, the circuit on the phone pages, the email link."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from facturier.approvals.models import ApprovalRule, Delegation
from facturier.approvals.selectors import latest_request
from facturier.approvals.services import remind_late
from facturier.invoicing.services import invoice_approve, invoice_submit
from tests.web.conftest import page_messages

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "title"), [("fr", "Règles d'approbation"), ("en", "Approval rules")])
def test_the_rules_page_in_both_languages(client, entity, owner, approver, two_levels, language, title):
    client.force_login(owner)
    client.cookies["django_language"] = language
    html = client.get(reverse("web:approval-rules")).content.decode()
    assert title in html.replace("&#x27;", "'")
    assert 'data-rule="finance director"' in html


def test_only_administrators_manage_rules(client, entity, approver):
    client.force_login(approver)
    assert client.get(reverse("web:approval-rules")).status_code == 403


def test_adding_a_rule_and_refusing_one_nobody_could_decide(client, entity, owner, approver, director):
    client.force_login(owner)
    url = reverse("web:approval-rule-add")
    base = {"name": "big", "priority": "1", "currency": "EUR", "min_amount": "10000", "remind_after_hours": "24",
            "level1_required": "1", "level2_required": "1", "level3_required": "1"}  # fmt: skip
    response = client.post(url, {**base, "level1_users": [str(director.pk)], "level1_label": "DAF"})
    assert response.status_code == 302
    rule = ApprovalRule.objects.get(name="big")
    assert rule.levels == [{"label": "DAF", "roles": [], "users": [str(director.pk)], "required": 1}]
    refused = client.post(url, {**base, "name": "two", "level1_roles": ["approver"], "level1_required": "2"})
    assert refused.status_code == 400
    assert "Personne ne pourrait approuver" in refused.content.decode().replace("&#x27;", "'")
    assert not ApprovalRule.objects.filter(name="two").exists()


def test_adding_a_delegation(client, entity, owner, approver, director):
    client.force_login(owner)
    response = client.post(reverse("web:approval-delegation-add"), {
        "user": str(director.pk), "delegate": str(approver.pk), "starts_on": "2024-02-28", "ends_on": "2024-03-01",
    })  # fmt: skip
    assert response.status_code == 302
    assert Delegation.objects.get().delegate == approver


def test_the_phone_page_shows_level_rule_and_history(
    client, entity, owner, approver, director, draft_invoice, two_levels
):
    invoice = invoice_submit(invoice=draft_invoice, by=owner)
    invoice_approve(invoice=invoice, by=approver, comment="vu")
    client.force_login(director)
    html = client.get(reverse("web:approval-detail", kwargs={"pk": invoice.pk})).content.decode()
    assert 'name="comment"' in html  # an optional comment in the approve form
    assert 'aria-current="step" data-level="2"' in html
    assert "finance director" in html
    assert "team lead" in html
    assert "user:approver" in html
    assert "vu" in html
    response = client.post(reverse("web:approval-decide", kwargs={"pk": invoice.pk, "decision": "approve"}),
                           {"comment": "ok"}, follow=True)  # fmt: skip
    assert any("approuvé" in message for message in page_messages(response))
    invoice.refresh_from_db()
    assert invoice.status == "approved"
    # and the comment is in the approval history, shown on the document page
    assert [d.comment for d in latest_request("document", invoice.pk).decisions.all()] == ["vu", "ok"]


def test_the_reminder_link_opens_the_page_after_signing_in(
    client, entity, owner, approver, draft_invoice, two_levels, settings
):
    settings.EMAIL_URL = "memory://"
    settings.FACTURIER_PUBLIC_URL = "https://factures.example"
    with time_machine.travel(dt.datetime(2024, 2, 29, 8, 0, tzinfo=dt.UTC), tick=False) as clock:
        invoice = invoice_submit(invoice=draft_invoice, by=owner)
        clock.shift(dt.timedelta(days=1))
        assert remind_late() == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if line.startswith("https://"))
    path = link.removeprefix("https://factures.example")
    anonymous = client.get(path)
    assert anonymous.status_code == 302
    assert "login" in anonymous.url
    client.force_login(approver)
    assert client.get(path).status_code == 200
    assert f"/approvals/{invoice.pk}/" == path


def test_the_document_page_shows_the_circuit_too(client, entity, owner, approver, draft_invoice, two_levels):
    invoice = invoice_submit(invoice=draft_invoice, by=owner)
    client.force_login(owner)
    html = client.get(reverse("web:document-detail", kwargs={"pk": invoice.pk})).content.decode()
    assert 'id="approval-circuit"' in html
    assert 'aria-current="step" data-level="1"' in html
