"""Sign-in throttling through the login page, with the test client under production-like settings:
50 wrong passwords lock the account, the right password does not get through the lock, the message
says when to retry and how to unlock (French and English), and the lock ends by time, by an
administrator of the company (audited) or from the command line."""

import datetime as dt
import html

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from facturier.audit.models import AuditEvent
from facturier.cli import main
from tests.web.test_security_headers import PRODUCTION_LIKE

NOON = dt.datetime(2027, 3, 15, 11, 0, tzinfo=dt.UTC)  # 12:00 in Paris
HTTPS = {"HTTP_X_FORWARDED_PROTO": "https", "secure": True}
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("entity")]


def _sign_in(client, username, password, address="203.0.113.7", **headers):
    return client.post(
        "/login/", {"username": username, "password": password}, REMOTE_ADDR=address, **HTTPS, **headers
    )


def _errors(response) -> list[str]:
    if response.context is None:
        return []
    return [html.unescape(str(error)) for error in response.context["form"].non_field_errors()]


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@override_settings(**PRODUCTION_LIKE)
@time_machine.travel(NOON, tick=False)
def test_fifty_wrong_passwords_lock_the_account_and_the_right_one_is_refused(client):
    # given the owner's account, when 50 wrong passwords are tried
    answers = [_sign_in(client, "owner", f"wrong-{n}") for n in range(50)]
    # then the first four say the password is wrong, and from the fifth on the account is locked
    assert all(answer.status_code == 200 for answer in answers)
    assert all("verrouillé" not in " ".join(_errors(answer)) for answer in answers[:4])
    for answer in answers[4:]:
        (message,) = _errors(answer)
        assert message == (
            "Trop de tentatives de connexion échouées pour ce compte : il est verrouillé. Réessayez dans "
            "15 minutes (à 12:15 CET), ou demandez à un administrateur de votre société de le déverrouiller."
        )
    # when the right password is given while locked, then it is refused with the same message
    answer = _sign_in(client, "owner", "pw-owner-123")
    assert not _signed_in(client)
    assert "il est verrouillé" in _errors(answer)[0]
    # and only one lockout was audited, not fifty failures
    (event,) = AuditEvent.objects.filter(action="login.locked")
    assert event.after["username"] == "owner"
    assert event.after["failures"] == 5
    assert event.after["address"] == "203.0.113.7"


@override_settings(**PRODUCTION_LIKE)
@time_machine.travel(NOON, tick=False)
def test_the_lock_message_is_in_english_for_an_english_reader(client):
    # given a reader who chose English, when they mistype their password five times
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for n in range(5):
        answer = _sign_in(client, "owner", f"wrong-{n}")
    # then the page says, in English, when to retry and how to get unlocked
    assert _errors(answer) == [
        "Too many failed sign-in attempts for this account: it is locked. Try again in 15 minutes "
        "(at 12:15 CET), or ask an administrator of your company to unlock it."
    ]


@override_settings(**PRODUCTION_LIKE)
def test_the_lock_expires_by_itself_and_the_next_one_lasts_twice_as_long(client):
    with time_machine.travel(NOON, tick=False) as clock:
        # given a locked account
        for n in range(5):
            _sign_in(client, "owner", f"wrong-{n}")
        # when 14 minutes have passed, then it is still locked
        clock.shift(dt.timedelta(minutes=14))
        assert "verrouillé" in _errors(_sign_in(client, "owner", "pw-owner-123"))[0]
        # when 15 minutes have passed, then the right password signs in
        clock.shift(dt.timedelta(minutes=1, seconds=1))
        _sign_in(client, "owner", "pw-owner-123")
        assert _signed_in(client)
        client.logout()
        # and a success forgot the past: five more failures lock for 15 minutes again
        for n in range(5):
            answer = _sign_in(client, "owner", f"wrong-{n}")
        assert "Réessayez dans 15 minutes" in _errors(answer)[0]
        # when the lock ends and five more wrong passwords follow (no success in between)
        clock.shift(dt.timedelta(minutes=16))
        for n in range(5):
            answer = _sign_in(client, "owner", f"wrong-again-{n}")
        # then the second lock lasts twice as long
        assert "Réessayez dans 30 minutes" in _errors(answer)[0]


@override_settings(**PRODUCTION_LIKE)
@time_machine.travel(NOON, tick=False)
def test_a_locked_attempt_never_reads_the_user_nor_checks_the_password(client):
    # given a locked account
    for n in range(5):
        _sign_in(client, "owner", f"wrong-{n}")
    # when the right password is tried
    with CaptureQueriesContext(connection) as queries:
        _sign_in(client, "owner", "pw-owner-123")
    # then the user table was not even read: the lock is decided before the password
    assert not [query for query in queries.captured_queries if "auth_user" in query["sql"]]


@override_settings(**PRODUCTION_LIKE)
@time_machine.travel(NOON, tick=False)
def test_unknown_usernames_get_exactly_the_same_answers(client):
    # given a real account and a username nobody has, when 8 wrong passwords are tried on each
    def answers(username):
        return [(r.status_code, _errors(r)) for r in (_sign_in(client, username, "x") for _ in range(8))]

    real = answers("owner")
    unknown = answers("nobody-here")
    # then the answers cannot tell them apart
    assert real == unknown
    assert "verrouillé" in real[-1][1][0]


@override_settings(**PRODUCTION_LIKE)
@time_machine.travel(NOON, tick=False)
def test_the_username_is_counted_whatever_its_case(client):
    # given failures typed in several cases, then they count for the same account
    for username in ("owner", "Owner", "OWNER", " owner", "owner"):
        answer = _sign_in(client, username, "wrong")
    assert "verrouillé" in _errors(answer)[0]
    assert "verrouillé" in _errors(_sign_in(client, "oWnEr", "pw-owner-123"))[0]


@override_settings(**PRODUCTION_LIKE)
@time_machine.travel(NOON, tick=False)
def test_one_address_trying_many_usernames_is_blocked(client, colleague):
    # given an address trying 4 passwords on each of 5 usernames (never enough to lock one account)
    for user in range(5):
        for n in range(4):
            answer = _sign_in(client, f"user-{user}", f"wrong-{n}", address="198.51.100.9")
    # then the address is blocked after 20 failures: even a real user's right password is refused there
    expected = "Trop de tentatives de connexion échouées depuis votre adresse réseau"
    assert _errors(answer)[0].startswith(expected)
    assert _errors(_sign_in(client, "colleague", "pw-colleague-123", address="198.51.100.9"))[0].startswith(
        expected
    )
    assert not _signed_in(client)
    # while the same user signs in from another address
    _sign_in(client, "colleague", "pw-colleague-123", address="192.0.2.44")
    assert _signed_in(client)
    assert AuditEvent.objects.filter(action="login.locked", after__scope="address").count() == 1


@override_settings(**PRODUCTION_LIKE)
@time_machine.travel(NOON, tick=False)
def test_a_forwarded_for_header_is_ignored_unless_a_proxy_is_trusted(client):
    # given no trusted proxy (the default), when a client rotates X-Forwarded-For on 20 failures
    for n in range(20):
        _sign_in(client, f"u{n}", "wrong", address="198.51.100.20", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
    # then its real address is blocked, whatever the header claims next
    answer = _sign_in(
        client, "colleague", "pw-colleague-123", "198.51.100.20", HTTP_X_FORWARDED_FOR="10.9.9.9"
    )
    assert "adresse réseau" in _errors(answer)[0]


@override_settings(**PRODUCTION_LIKE, FACTURIER_TRUSTED_PROXY_HOPS=1)
@time_machine.travel(NOON, tick=False)
def test_behind_a_trusted_proxy_the_client_is_the_address_it_forwarded(client):
    # given one trusted proxy (127.0.0.1) that appends the client's address to X-Forwarded-For,
    # when one client makes 20 failures, forging an extra address in front each time
    for n in range(20):
        _sign_in(
            client, f"u{n}", "wrong", address="127.0.0.1", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 198.51.100.30"
        )
    # then that client is blocked, and another client behind the same proxy is not
    blocked = _sign_in(
        client, "colleague", "pw-colleague-123", "127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.30"
    )
    assert "adresse réseau" in _errors(blocked)[0]
    _sign_in(client, "colleague", "pw-colleague-123", "127.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.1")
    assert _signed_in(client)


@time_machine.travel(NOON, tick=False)
def test_an_administrator_unlocks_a_member_from_the_company_page(client, owner, colleague):
    # given the colleague locked out
    for n in range(5):
        _sign_in(client, "colleague", f"wrong-{n}")
    # when the company's administrator opens the company page
    client.force_login(owner)
    page = client.get("/company/")
    # then the member shows as locked, with an unlock button
    text = html.unescape(page.content.decode())
    assert "Connexion verrouillée jusqu'à 12:15" in text
    membership = colleague.memberships.get()
    # when they unlock the colleague
    answer = client.post(f"/company/members/{membership.pk}/unlock/")
    assert answer.status_code == 302
    # then the unlock is audited in the company's trail, by the administrator
    event = AuditEvent.objects.get(action="login.unlocked")
    assert (event.entity_id, event.actor_id) == (membership.entity_id, owner.pk)
    assert event.after["username"] == "colleague"
    # and the colleague signs in with the right password at once
    client.logout()
    _sign_in(client, "colleague", "pw-colleague-123")
    assert _signed_in(client)


def test_only_administrators_unlock_and_only_their_own_members(client, entity, colleague, outsider):
    # given the accountant (not an administrator) and the outsider (administrator of another company)
    membership = colleague.memberships.get()
    client.force_login(colleague)
    # then neither may unlock the colleague
    assert client.post(f"/company/members/{membership.pk}/unlock/").status_code == 403
    client.force_login(outsider)
    assert client.post(f"/company/members/{membership.pk}/unlock/").status_code == 404
    assert not AuditEvent.objects.filter(action="login.unlocked").exists()


@time_machine.travel(NOON, tick=False)
def test_the_command_line_unlocks_a_user_and_an_address(client, capsys):
    # given a locked account and a blocked address
    for n in range(5):
        _sign_in(client, "owner", f"wrong-{n}")
    for n in range(20):
        _sign_in(client, f"u{n}", "wrong", address="198.51.100.40")
    # when the operator runs `facturier unlock-user owner --address 198.51.100.40`
    assert main(["unlock-user", "OWNER", "--address", "198.51.100.40"]) == 0
    out = capsys.readouterr().out
    assert "account 'OWNER' was locked and is unlocked." in out
    assert "address 198.51.100.40 was blocked and is unblocked." in out
    # then both are lifted (audited), and the owner signs in from that address
    assert AuditEvent.objects.filter(action="login.unlocked", actor_label="system").count() == 2
    _sign_in(client, "owner", "pw-owner-123", address="198.51.100.40")
    assert _signed_in(client)
    # and without a name or an address the command says what it needs
    assert main(["unlock-user"]) != 0
    # and the locks and unlocks written to the audit trail keep its chains whole
    assert main(["audit", "verify"]) == 0


@time_machine.travel(NOON, tick=False)
def test_the_django_admin_sign_in_is_guarded_too(client, owner):
    # given a superuser locked out from the staff sign-in
    get_user_model().objects.filter(pk=owner.pk).update(is_staff=True, is_superuser=True)
    for n in range(5):
        _sign_in(client, "owner", f"wrong-{n}")
    # when they try the admin's sign-in page with the right password, then it is refused too
    answer = client.post("/admin/login/", {"username": "owner", "password": "pw-owner-123"},
                         REMOTE_ADDR="192.0.2.80")  # fmt: skip
    assert "_auth_user_id" not in client.session
    assert "verrouillé" in html.unescape(answer.content.decode())
