"""In a real browser: a member who mistypes their password five times reads that the account is locked,
until when and how to get it unlocked; the right password does not get through; their company's
administrator unlocks them from the company page, and they sign in."""

import shutil

import pytest

from tests.e2e import server

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("chromium") is None,
        reason="Debian's chromium is not installed: apt-get install chromium",
    ),
]

ACCOUNTANT, ACCOUNTANT_PASSWORD = "paul", "pw-paul-e2e-1"
SECOND_MEMBER = f"""
from facturier.accounts.roles import Role
from facturier.accounts.services import membership_set
paul = get_user_model().objects.create_user({ACCOUNTANT!r}, "paul@example.fr", {ACCOUNTANT_PASSWORD!r})
membership_set(entity=entity, user=paul, role=Role.ACCOUNTANT, by=user)
"""


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    with server.running(tmp_path_factory.mktemp("facturier-lockout"), SECOND_MEMBER) as url:
        yield url


def _try(page, password: str) -> None:
    page.fill("#id_username", ACCOUNTANT)
    page.fill("#id_password", password)
    page.click("button[type=submit].primary")


def test_a_locked_out_member_reads_why_and_is_unlocked_by_the_administrator(base_url):
    from playwright.sync_api import expect

    with server.browser_tab(base_url) as page:
        # given the accountant on the sign-in page, when they mistype their password five times
        page.goto("/login/")
        for n in range(4):
            _try(page, f"wrong-{n}")
            expect(page.locator(".errors")).not_to_contain_text("verrouillé")
        _try(page, "wrong-4")
        # then the page says the account is locked, when to retry and who can unlock it
        errors = page.locator(".errors")
        expect(errors).to_contain_text("Trop de tentatives de connexion échouées pour ce compte")
        expect(errors).to_contain_text("Réessayez dans 15 minutes")
        expect(errors).to_contain_text("demandez à un administrateur de votre société de le déverrouiller")
        # when they then type the right password, then they are still refused
        _try(page, ACCOUNTANT_PASSWORD)
        expect(page.locator(".errors")).to_contain_text("il est verrouillé")
        expect(page).to_have_url(f"{base_url}/login/")

    with server.browser_tab(base_url) as admin:
        # when the company's administrator opens the company page
        server.sign_in(admin)
        admin.goto("/company/")
        lock = admin.locator("form.member-lock")
        # then the member shows as locked, and one click unlocks them
        expect(lock).to_contain_text("Connexion verrouillée jusqu'à")
        lock.locator("button").click()
        expect(admin.locator(".message").first).to_contain_text("paul peut de nouveau se connecter")
        expect(admin.locator("form.member-lock")).to_have_count(0)

    with server.browser_tab(base_url) as page:
        # and the accountant signs in with the right password
        page.goto("/login/")
        _try(page, ACCOUNTANT_PASSWORD)
        expect(page.locator("h1")).to_contain_text("Tableau de bord")
