"""The web's basic defences: HSTS, a Content-Security-Policy the pages respect, no MIME sniffing, no
referrer leaving the site; and templates with nothing inline that the policy would block."""

import re
from pathlib import Path

import pytest
from django.test import override_settings

import facturier

POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'"
)
PRODUCTION_LIKE = {
    "DEBUG": False,
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_SSL_REDIRECT": True,
    "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
}


@pytest.mark.django_db
@override_settings(**PRODUCTION_LIKE)
@pytest.mark.parametrize("path", ["/", "/invoices/new/"])
def test_pages_carry_the_security_headers_behind_a_tls_proxy(owner_client, path):
    # given production-like settings behind a proxy that terminates TLS, and a signed-in user
    # when a page is requested through the proxy
    response = owner_client.get(path, HTTP_X_FORWARDED_PROTO="https")
    # then it is served (no redirect loop) with every defence header
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response["Content-Security-Policy"] == POLICY
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
@override_settings(**PRODUCTION_LIKE)
def test_plain_http_is_redirected_to_https(client):
    # given production-like settings, when a page is requested over plain HTTP
    response = client.get("/login/")
    # then the browser is sent to the HTTPS address, with no HSTS on the insecure answer
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/login/"
    assert "Strict-Transport-Security" not in response


@pytest.mark.django_db
def test_the_policy_is_sent_in_development_too(client):
    # given the test (development-like) settings, when the login page is requested
    response = client.get("/login/")
    # then the same policy applies: a template that breaks it fails here, not in production
    assert response["Content-Security-Policy"] == POLICY
    assert "Strict-Transport-Security" not in response


TEMPLATES = sorted((Path(facturier.__file__).parent).glob("**/templates/**/*.html"))
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I), "inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "on… event handler attribute"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"<style[\s>]", re.I), "<style> block"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: path.name)
def test_templates_have_nothing_inline_the_policy_blocks(template):
    # given a template of the staff UI, then it has no inline script, handler or style for the policy to block
    text = template.read_text()
    found = [what for pattern, what in INLINE if pattern.search(text)]
    assert not found, f"{template}: {found}; move it into a static .js or .css file"
