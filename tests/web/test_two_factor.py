"""Two-factor authentication through the pages, with the test client under production settings (HTTPS
behind a proxy, secure cookies, HSTS): the policy sends administrators and accountants to enrollment, an
enrolled user gives a code after the password, wrong codes are refused and slowed down, a recovery code
works once, and an administrator resets a colleague who lost their phone. Codes are computed with
django-otp's TOTP at chosen times (time-machine), never read from the server."""

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from facturier.accounts import two_factor
from facturier.accounts.models import TwoFactorPolicy
from facturier.accounts.roles import Role
from facturier.accounts.services import api_key_create, membership_set
from facturier.audit.models import AuditEvent

PRODUCTION_LIKE = {
    "DEBUG": False,
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_SSL_REDIRECT": True,
    "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
}
MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
PASSWORDS = {"owner": "pw-owner-123", "colleague": "pw-colleague-123"}

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_production")]


@pytest.fixture
def _production():
    with override_settings(**PRODUCTION_LIKE):
        yield


@pytest.fixture
def clock():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def browser() -> Client:
    """A client reaching the server through a TLS proxy, as in production."""
    return Client(headers={"X-Forwarded-Proto": "https"}, enforce_csrf_checks=False)


def sign_in(username: str, password: str | None = None) -> tuple[Client, object]:
    client = browser()
    response = client.post(
        "/login/",
        {"username": username, "password": password or PASSWORDS.get(username, f"pw-{username}-123")},
    )
    return client, response


def code_now(user) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return f"{totp(device.bin_key):06d}"


def enroll(user, clock) -> list[str]:
    """Enroll through the service with the current code, then move to the next 30-second step."""
    device = two_factor.totp_enrollment_start(user=user)
    codes = two_factor.totp_enrollment_confirm(user=user, device=device, code=f"{totp(device.bin_key):06d}")
    clock.shift(30)
    return codes


def require_for_admins_and_accountants(entity) -> None:
    entity.two_factor_policy = TwoFactorPolicy.ADMINS_AND_ACCOUNTANTS
    entity.save(update_fields=["two_factor_policy"])


def member(entity, owner, role: str):
    user = get_user_model().objects.create_user(role, f"{role}@example.fr", f"pw-{role}-123")
    membership_set(entity=entity, user=user, role=role, by=owner)
    return user


# --- the policy ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "bound"),
    [
        (Role.ADMIN, True),
        (Role.ACCOUNTANT, True),
        (Role.SALES, False),
        (Role.APPROVER, False),
        (Role.AUDITOR, False),
    ],
)
def test_the_policy_binds_administrators_and_accountants_only(entity, owner, role, bound):
    # given a company requiring a second factor of its administrators and accountants, and a member
    require_for_admins_and_accountants(entity)
    user = member(entity, owner, role)
    # when they sign in with their password and open the invoices
    client, response = sign_in(user.username)
    page = client.get("/invoices/")
    # then a bound role is sent to enrollment, keeping where it was going; the others work at once
    if bound:
        assert response["Location"] == "/account/two-factor/setup/?next=%2F"
        assert page.status_code == 302
        assert page["Location"] == "/account/two-factor/setup/?next=%2Finvoices%2F"
    else:
        assert response["Location"] == "/"
        assert page.status_code == 200


def test_without_a_policy_nobody_is_asked_for_a_second_factor(entity, owner):
    # given the default policy (optional), when the administrator signs in
    client, response = sign_in("owner")
    # then the password is enough
    assert response["Location"] == "/"
    assert client.get("/invoices/").status_code == 200


def test_a_bound_user_reaches_only_the_sign_in_steps(entity, owner):
    # given an administrator bound by the policy, signed in with the password only
    require_for_admins_and_accountants(entity)
    client, _response = sign_in("owner")
    # then every page but enrollment, sign-out and the language switch leads to enrollment
    for path in ("/", "/company/", "/customers/", "/admin/", "/account/two-factor/", "/no-such-page/"):
        assert client.get(path)["Location"].startswith("/account/two-factor/setup/"), path
    assert (
        client.post("/company/two-factor/", {"two-factor-two_factor_policy": "optional"}).status_code == 302
    )
    entity.refresh_from_db()
    assert entity.two_factor_policy == TwoFactorPolicy.ADMINS_AND_ACCOUNTANTS
    assert client.get("/account/two-factor/setup/").status_code == 200
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 302
    assert client.post("/logout/").status_code == 302
    assert client.get("/")["Location"].startswith("/login/")


def test_api_keys_are_not_affected_by_the_policy(entity, owner):
    # given a company requiring a second factor of everyone, and an API key
    entity.two_factor_policy = TwoFactorPolicy.EVERYONE
    entity.save(update_fields=["two_factor_policy"])
    _key, secret = api_key_create(entity=entity, name="ERP", scopes=["invoices:read"], by=None)
    # when the API is called with the key, then it answers as before
    response = browser().get("/api/v1/invoices", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200


# --- enrollment ----------------------------------------------------------------------------------------


def test_enrollment_shows_a_qr_code_and_the_key_then_confirms_with_a_first_code(entity, owner, clock):
    # given the administrator bound by the policy, signed in with the password
    require_for_admins_and_accountants(entity)
    client, _response = sign_in("owner")
    # when they open the enrollment page
    page = client.get("/account/two-factor/setup/?next=/invoices/")
    html = page.content.decode()
    # then it shows a QR code as an image the policy allows (data: URI) and the key to type, accessibly
    assert page.status_code == 200
    assert "img-src 'self' data:" in page["Content-Security-Policy"]
    assert page["Strict-Transport-Security"].startswith("max-age=31536000")
    assert re.search(r'<img src="data:image/svg\+xml[^"]+"[^>]+alt="[^"]+"', html)
    secret = re.search(r'id="totp-secret"[^>]*>([A-Z2-7 ]+)<', html).group(1)
    device = TOTPDevice.objects.get(user=owner, confirmed=False)
    assert secret.replace(" ", "") == two_factor.format_secret(device).replace(" ", "")
    assert 'autocomplete="one-time-code"' in html
    assert 'inputmode="numeric"' in html
    assert '<label for="id_code">' in html
    # reloading keeps the same key (an app may already have scanned it)
    assert two_factor.format_secret(device) in client.get("/account/two-factor/setup/").content.decode()

    # when a wrong code is typed, then nothing is turned on
    wrong = client.post("/account/two-factor/setup/", {"code": "000000", "next": "/invoices/"})
    assert wrong.status_code == 200
    assert "Ce code n’est pas valide" in wrong.content.decode()
    # the input names its help and its error, which screen readers read with it
    described = re.search(r'<input [^>]*aria-describedby="([^"]+)"[^>]*id="id_code"', wrong.content.decode())
    for target in described.group(1).split():
        assert f'id="{target}"' in wrong.content.decode(), target
    assert not two_factor.is_enrolled(owner)

    # when the app's current code is typed (after the 1 s the wrong one costs)
    clock.shift(2)
    done = client.post(
        "/account/two-factor/setup/", {"code": f"{totp(device.bin_key):06d}", "next": "/invoices/"}
    )
    # then it is on, and ten recovery codes are shown once, not cached, with a way on
    assert done.status_code == 200
    assert two_factor.is_enrolled(owner)
    codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", done.content.decode())
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert "no-store" in done["Cache-Control"]
    assert 'href="/invoices/"' in done.content.decode()
    # and this session is verified: the pages open
    assert client.get("/invoices/").status_code == 200
    assert client.get("/account/two-factor/setup/")["Location"] == "/account/two-factor/"
    event = AuditEvent.objects.get(entity=entity, action="two_factor.enrolled")
    assert event.actor == owner
    assert event.after == {"user": "owner", "recovery_codes": 10}


# --- signing in with a second factor -----------------------------------------------------------------


def test_an_enrolled_user_gives_a_code_after_the_password(entity, owner, clock):
    # given an administrator with an authenticator (no policy needed: enrolled is enough)
    enroll(owner, clock)
    # when they sign in with the password
    client, response = sign_in("owner")
    # then they are asked for a code before any page
    assert response["Location"] == "/account/two-factor/verify/?next=%2F"
    assert client.get("/invoices/")["Location"] == "/account/two-factor/verify/?next=%2Finvoices%2F"
    page = client.get("/account/two-factor/verify/?next=/invoices/")
    html = page.content.decode()
    assert 'autocomplete="one-time-code"' in html
    assert 'inputmode="numeric"' in html
    assert "Vérification en deux étapes" in html
    # when they type the current code, then they reach the page they wanted
    done = client.post("/account/two-factor/verify/", {"code": code_now(owner), "next": "/invoices/"})
    assert done.status_code == 302
    assert done["Location"] == "/invoices/"
    assert client.get("/invoices/").status_code == 200


def test_a_password_alone_cannot_enroll_another_authenticator(entity, owner, clock):
    # given an enrolled user, and someone who knows only their password
    enroll(owner, clock)
    client, _response = sign_in("owner")
    # when that someone opens the enrollment page or posts a code to it
    page = client.get("/account/two-factor/setup/")
    posted = client.post("/account/two-factor/setup/", {"code": "123456"})
    # then they are sent to the code page, and no other authenticator is created
    assert page["Location"].startswith("/account/two-factor/verify/")
    assert posted["Location"].startswith("/account/two-factor/verify/")
    assert TOTPDevice.objects.filter(user=owner).count() == 1


def test_a_wrong_code_is_refused_and_the_next_try_must_wait(entity, owner, clock):
    # given an enrolled administrator after the password
    enroll(owner, clock)
    client, _response = sign_in("owner")
    # when they type a wrong code
    wrong = client.post("/account/two-factor/verify/", {"code": "123456"})
    # then it is refused, and stays so
    assert wrong.status_code == 200
    assert client.get("/invoices/").status_code == 302
    # and even the right code is refused at once after it (throttled: 1 s, then 2, 4, 8...)
    too_soon = client.post("/account/two-factor/verify/", {"code": code_now(owner)})
    assert too_soon.status_code == 200
    assert "Trop de codes erronés" in too_soon.content.decode()
    # once the wait is over, the right code works
    clock.shift(2)
    assert client.post("/account/two-factor/verify/", {"code": code_now(owner)}).status_code == 302
    assert client.get("/invoices/").status_code == 200


def test_a_code_is_accepted_only_once(entity, owner, clock):
    # given a code just used to sign in
    enroll(owner, clock)
    client, _response = sign_in("owner")
    used = code_now(owner)
    assert client.post("/account/two-factor/verify/", {"code": used}).status_code == 302
    # when someone who saw it signs in with the password within the same 30 seconds
    other, _response = sign_in("owner")
    replay = other.post("/account/two-factor/verify/", {"code": used})
    # then the same code is refused
    assert replay.status_code == 200
    assert other.get("/").status_code == 302


def test_a_recovery_code_signs_in_once(entity, owner, clock):
    # given an enrolled administrator whose phone is lost
    codes = enroll(owner, clock)
    client, _response = sign_in("owner")
    # when they use a recovery code (typed in capitals, with a space)
    typed = codes[3].upper().replace("-", " ")
    done = client.post("/account/two-factor/verify/", {"recovery_code": typed, "next": "/invoices/"})
    # then they are in, told how many codes are left, and it is audited
    assert done["Location"] == "/invoices/"
    assert "9" in client.get("/invoices/").content.decode()
    event = AuditEvent.objects.get(entity=entity, action="two_factor.recovery_code_used")
    assert event.after == {"user": "owner", "codes_left": 9}
    # when the same code is used again, then it is refused
    clock.shift(5)
    again, _response = sign_in("owner")
    refused = again.post("/account/two-factor/verify/", {"recovery_code": codes[3]})
    assert refused.status_code == 200
    assert again.get("/").status_code == 302


def test_the_next_page_stays_on_this_site(entity, owner, clock):
    # given an enrolled user asked for a code with a foreign `next`
    enroll(owner, clock)
    client, _response = sign_in("owner")
    done = client.post(
        "/account/two-factor/verify/", {"code": code_now(owner), "next": "https://evil.example/"}
    )
    # then they land on the dashboard, not elsewhere
    assert done["Location"] == "/"


# --- the account page: new recovery codes, turning it off -------------------------------------------


def test_new_recovery_codes_replace_the_old_ones(entity, owner, clock):
    # given an enrolled, verified administrator
    old = enroll(owner, clock)
    client, _response = sign_in("owner")
    client.post("/account/two-factor/verify/", {"code": code_now(owner)})
    clock.shift(30)
    # when they ask for new recovery codes without a valid code, then nothing changes
    refused = client.post("/account/two-factor/recovery-codes/", {"regenerate-code": "000000"})
    assert refused.status_code == 422
    assert two_factor.recovery_codes_left(owner) == 10
    # when they prove it with a current code
    clock.shift(2)
    page = client.post("/account/two-factor/recovery-codes/", {"regenerate-code": code_now(owner)})
    new = re.findall(r"<li><code>([a-z2-9-]{11})</code></li>", page.content.decode())
    # then ten new codes are shown once and the old ones no longer work
    assert len(new) == 10
    assert not set(new) & set(old)
    assert not two_factor.two_factor_check(user=owner, code=old[0]).ok
    assert (
        AuditEvent.objects.filter(entity=entity, action="two_factor.recovery_codes_regenerated").count() == 1
    )


def test_a_user_turns_it_off_with_a_code_unless_their_company_requires_it(entity, owner, clock):
    # given an enrolled, verified administrator, in a company without a policy
    enroll(owner, clock)
    client, _response = sign_in("owner")
    client.post("/account/two-factor/verify/", {"code": code_now(owner)})
    clock.shift(30)
    # when they turn it off with a code
    done = client.post("/account/two-factor/disable/", {"disable-code": code_now(owner)})
    # then the password alone signs them in again, and it is audited
    assert done["Location"] == "/account/two-factor/"
    assert not two_factor.is_enrolled(owner)
    assert AuditEvent.objects.filter(entity=entity, action="two_factor.disabled").exists()
    _client, response = sign_in("owner")
    assert response["Location"] == "/"


# --- the administrator's side --------------------------------------------------------------------------


def test_an_admin_resets_a_colleague_who_lost_their_phone(entity, owner, colleague, clock):
    # given the policy, the administrator enrolled and verified, and the accountant enrolled
    enroll(owner, clock)
    enroll(colleague, clock)
    require_for_admins_and_accountants(entity)
    admin, _response = sign_in("owner")
    admin.post("/account/two-factor/verify/", {"code": code_now(owner)})
    page = admin.get("/company/").content.decode()
    assert 'id="two-factor-colleague"' in page
    # when the administrator resets the accountant's second factor
    membership = colleague.memberships.get(entity=entity)
    done = admin.post(f"/company/members/{membership.pk}/two-factor-reset/")
    # then it is gone, audited, and the accountant sets up a new one at their next sign-in
    assert done["Location"] == "/company/"
    assert not two_factor.is_enrolled(colleague)
    event = AuditEvent.objects.get(entity=entity, action="two_factor.reset")
    assert event.actor == owner
    assert event.after["user"] == "colleague"
    _client, response = sign_in("colleague")
    assert response["Location"].startswith("/account/two-factor/setup/")


def test_only_administrators_reset_or_set_the_policy(entity, owner, colleague, clock):
    # given an accountant (company page refused to them) and the administrator's membership
    enroll(owner, clock)
    client, _response = sign_in("colleague")
    membership = owner.memberships.get(entity=entity)
    # when they try, then they are refused and nothing changes
    assert client.post(f"/company/members/{membership.pk}/two-factor-reset/").status_code == 403
    assert (
        client.post("/company/two-factor/", {"two-factor-two_factor_policy": "everyone"}).status_code == 403
    )
    assert two_factor.is_enrolled(owner)


def test_the_policy_is_set_on_the_company_page_once_the_admin_has_a_second_factor(entity, owner, clock):
    # given the administrator signed in with the password only
    client, _response = sign_in("owner")
    # when they require a second factor before having one, then it is refused (no lock-out)
    refused = client.post("/company/two-factor/", {"two-factor-two_factor_policy": "admins_accountants"})
    assert refused.status_code == 422
    entity.refresh_from_db()
    assert entity.two_factor_policy == TwoFactorPolicy.OPTIONAL
    # when they enroll first, then the policy is saved and audited
    enroll(owner, clock)
    client, _response = sign_in("owner")
    client.post("/account/two-factor/verify/", {"code": code_now(owner)})
    done = client.post("/company/two-factor/", {"two-factor-two_factor_policy": "admins_accountants"})
    assert done["Location"] == "/company/"
    entity.refresh_from_db()
    assert entity.two_factor_policy == TwoFactorPolicy.ADMINS_AND_ACCOUNTANTS
    event = AuditEvent.objects.get(entity=entity, action="two_factor.policy_changed")
    assert event.before == {"two_factor_policy": "optional"}
    assert event.after == {"two_factor_policy": "admins_accountants"}


def test_the_pages_exist_in_english(entity, owner, clock):
    # given an enrolled user who chose English
    enroll(owner, clock)
    client, _response = sign_in("owner")
    client.cookies["django_language"] = "en"
    # when the code page is shown, then it is in English
    html = client.get("/account/two-factor/verify/").content.decode()
    assert "Two-step verification" in html
    assert "Lost your phone? Use a recovery code" in html
