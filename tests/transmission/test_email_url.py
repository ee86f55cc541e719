"""`EMAIL_URL`, read in one place (config/settings/email.py): each documented scheme and its defaults."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings.email import connection_options, email_settings


def test_an_smtp_url_with_starttls_gives_every_django_email_setting() -> None:
    # given a submission server with a user whose name and password hold reserved characters
    url = "smtp+tls://factures%40dupont.example:s3cr%2Ft@mail.example:2587?timeout=5"
    # then every EMAIL_* setting follows from it, user and password decoded
    assert email_settings(url) == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example", "EMAIL_PORT": 2587,
        "EMAIL_HOST_USER": "factures@dupont.example", "EMAIL_HOST_PASSWORD": "s3cr/t",
        "EMAIL_USE_TLS": True, "EMAIL_USE_SSL": False, "EMAIL_TIMEOUT": 5.0,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("url", "port", "starttls", "implicit_tls"),
    [
        ("smtp://mail.example", 25, False, False),
        ("smtp://user:pass@mail.example:587?tls=1", 587, True, False),
        ("smtp+tls://mail.example", 587, True, False),
        ("submission://mail.example", 587, True, False),
        ("smtp+ssl://mail.example", 465, False, True),
        ("smtps://mail.example", 465, False, True),
        ("smtp://mail.example?ssl=1", 25, False, True),
    ],
)
def test_each_smtp_scheme_has_its_default_port_and_tls_mode(url, port, starttls, implicit_tls) -> None:  # type: ignore[no-untyped-def]
    values = email_settings(url)
    assert (values["EMAIL_PORT"], values["EMAIL_USE_TLS"], values["EMAIL_USE_SSL"]) == (
        port,
        starttls,
        implicit_tls,
    )


def test_console_and_memory_urls_choose_djangos_development_backends() -> None:
    assert email_settings("console://") == {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    assert email_settings("memory://") == {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}


def test_no_email_url_configures_nothing() -> None:
    assert email_settings("") == {}


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("http://mail.example", "unknown scheme 'http'"),
        ("smtp+ssl://mail.example?tls=1", "exclude each other"),
        ("smtp://mail.example:notaport", "EMAIL_URL"),
    ],
)
def test_a_mistyped_email_url_stops_the_server_at_start_up(url, complaint) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ImproperlyConfigured, match=complaint):
        email_settings(url)


def test_the_channel_connects_with_the_same_reading_of_the_url() -> None:
    backend, options = connection_options("smtp+ssl://u:p@mail.example")
    assert backend == "django.core.mail.backends.smtp.EmailBackend"
    assert options == {"host": "mail.example", "port": 465, "username": "u", "password": "p",
                       "use_tls": False, "use_ssl": True, "timeout": 20.0}  # fmt: skip
