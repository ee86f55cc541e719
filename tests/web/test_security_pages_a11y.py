"""The sign-in and second-factor pages as a screen reader finds them, checked in the HTML: a refused
sign-in is announced and linked to the username, a refused code takes the focus back to its field, and
the company page's per-member buttons (unlock, reset the second factor) each name their member."""

import datetime as dt

import pytest
import time_machine
from django_otp.oath import totp
from lxml import html

from facturier.accounts import two_factor

NOON = dt.datetime(2027, 3, 15, 11, 0, tzinfo=dt.UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("entity")]


def parse(response):
    return html.fromstring(response.content.decode())


def accessible_name(element) -> str:
    return " ".join(element.text_content().split())


def enrol(user) -> object:
    device = two_factor.totp_enrollment_start(user=user)
    two_factor.totp_enrollment_confirm(user=user, device=device, code=f"{totp(device.bin_key):06d}")
    return device


@time_machine.travel(NOON, tick=False)
def test_a_refused_sign_in_is_announced_and_describes_the_username(client):
    # when a wrong password is typed
    response = client.post("/login/", {"username": "owner", "password": "wrong"}, REMOTE_ADDR="203.0.113.9")
    # then the error is an alert, and the username box says it is invalid and is described by it
    page = parse(response)
    errors = page.get_element_by_id("login-errors")
    assert errors.get("role") == "alert"
    assert accessible_name(errors)
    username = page.get_element_by_id("id_username")
    assert username.get("aria-invalid") == "true"
    assert username.get("aria-describedby") == "login-errors"
    assert page.get_element_by_id("id_password").get("aria-describedby") == "login-errors"


def test_the_login_page_has_no_error_references_before_a_try(client):
    page = parse(client.get("/login/"))
    assert page.xpath("//*[@id='login-errors']") == []
    assert page.get_element_by_id("id_username").get("aria-describedby") is None


@time_machine.travel(NOON, tick=False)
def test_the_members_buttons_each_name_their_member(client, owner, colleague):
    # given the colleague locked out and with a second factor
    enrol(colleague)
    for n in range(5):
        client.post("/login/", {"username": "colleague", "password": f"wrong-{n}"}, REMOTE_ADDR="203.0.113.9")
    # when the administrator opens the company page
    client.force_login(owner)
    page = parse(client.get("/company/"))
    # then "Unlock" and "Reset (lost phone)" say whom they are for, and the actions column has a name
    unlock = page.xpath("//form[contains(@class, 'member-lock')]//button")
    assert [accessible_name(button) for button in unlock] == ["Déverrouiller colleague"]
    reset = page.xpath("//tr[@id='two-factor-colleague']//button")
    assert [accessible_name(button) for button in reset] == ["Réinitialiser (téléphone perdu) colleague"]
    headers = page.xpath("//section[@id='two-factor']//th")
    assert all(accessible_name(header) for header in headers)


def test_a_refused_code_on_the_account_page_takes_the_focus_back(client, owner):
    with time_machine.travel(NOON, tick=False):
        device = enrol(owner)
    # given the owner signed in with both factors, a minute later
    with time_machine.travel(NOON + dt.timedelta(minutes=1), tick=False):
        client.post("/login/", {"username": "owner", "password": "pw-owner-123"}, REMOTE_ADDR="203.0.113.9")
        verified = client.post("/account/two-factor/verify/", {"code": f"{totp(device.bin_key):06d}"})
        assert verified.status_code == 302
        # when a wrong code is typed to generate new recovery codes
        response = client.post("/account/two-factor/recovery-codes/", {"regenerate-code": "000000"})
    # then it is refused, and the focus goes to that field, which its error describes
    assert response.status_code == 422
    page = parse(response)
    field = page.get_element_by_id("id_regenerate-code")
    assert field.get("autofocus") is not None
    assert field.get("aria-invalid") == "true"
    assert page.xpath("//*[@autofocus]") == [field]
    assert page.get_element_by_id("id_disable-code").get("autofocus") is None
