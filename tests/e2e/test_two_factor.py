"""In a real browser: an administrator whose company requires a second factor is sent to enrollment after
the password, scans the QR code (read back here by a barcode reader, as a phone would), confirms with a
code, is shown the recovery codes, signs out, and signs in again with the password and a TOTP code."""

import base64
import io
import shutil
import time
from urllib.parse import parse_qs, urlsplit

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

REQUIRE_FOR_ADMINS = """
entity.two_factor_policy = "admins_accountants"
entity.save(update_fields=["two_factor_policy"])
"""


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    with server.running(tmp_path_factory.mktemp("facturier-2fa"), REQUIRE_FOR_ADMINS) as url:
        yield url


def code_for(secret: str, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for `secret` (base32, as typed), `steps_ahead` × 30 s from now."""
    from django_otp.oath import totp

    key = base64.b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    return f"{totp(key, drift=steps_ahead):06d}"


def scanned_qr_secret(page) -> str:
    """Read the QR code on the page as a phone would, and return the key of the otpauth:// address."""
    import zxingcpp
    from PIL import Image

    image = Image.open(io.BytesIO(page.locator("#totp-qr").screenshot()))
    (found,) = zxingcpp.read_barcodes(image)
    address = urlsplit(found.text)
    assert address.scheme == "otpauth"
    assert address.netloc == "totp"
    assert parse_qs(address.query)["issuer"] == ["Facturier"]
    return parse_qs(address.query)["secret"][0]


def test_enroll_sign_out_and_sign_in_with_a_totp_code(base_url):
    from playwright.sync_api import expect

    with server.browser_tab(base_url) as page:
        violations: list[str] = []
        page.on(
            "console", lambda message: violations.append(message.text) if message.type == "error" else None
        )

        # given an administrator of a company that requires a second factor, signing in with the password
        page.goto("/login/")
        page.fill("#id_username", server.USERNAME)
        page.fill("#id_password", server.PASSWORD)
        page.click("button[type=submit].primary")

        # then they are sent to enrollment, and any other page brings them back there
        expect(page.locator("h1")).to_contain_text("Configurer l’authentification à deux facteurs")
        page.goto("/invoices/")
        expect(page.locator("h1")).to_contain_text("Configurer l’authentification à deux facteurs")

        # when they scan the QR code (the key shown for typing is the same)
        secret = scanned_qr_secret(page)
        assert page.locator("#totp-secret").inner_text().replace(" ", "") == secret.rstrip("=")

        # and confirm with the code their app shows
        page.get_by_label("Code de votre application d’authentification").fill(code_for(secret))
        page.click("#setup-form button[type=submit]")

        # then ten recovery codes are shown, and the way on leads to the page they wanted
        expect(page.locator("h1")).to_contain_text("Vos codes de secours")
        expect(page.locator("#recovery-codes li")).to_have_count(10)
        page.click("#codes-saved")
        expect(page.locator("h1")).to_contain_text("Factures")

        # when they sign out and sign in again with the password
        page.click("#user-menu summary")
        page.click("#sign-out")
        expect(page.locator("#id_username")).to_be_visible()
        page.fill("#id_username", server.USERNAME)
        page.fill("#id_password", server.PASSWORD)
        page.click("button[type=submit].primary")

        # then a code is asked before the dashboard
        expect(page.locator("h1")).to_contain_text("Vérification en deux étapes")
        field = page.get_by_label("Code de votre application d’authentification")
        assert field.get_attribute("autocomplete") == "one-time-code"
        assert field.get_attribute("inputmode") == "numeric"

        # a wrong code is refused
        field.fill("000000")
        page.click("#totp-form button[type=submit]")
        expect(page.locator("#totp-form .error")).to_contain_text("Ce code n’est pas valide")

        # and the next code of the app opens the dashboard (after the 1 s a wrong code costs)
        time.sleep(1.5)
        page.get_by_label("Code de votre application d’authentification").fill(
            code_for(secret, steps_ahead=1)
        )
        page.click("#totp-form button[type=submit]")
        expect(page.locator("h1")).to_contain_text("Tableau de bord")
        assert not [text for text in violations if "Content Security Policy" in text], violations
