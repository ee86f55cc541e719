"""The main menu and the user menu (`{% main_menu %}`, `{% language_buttons %}`, `{% user_menu_links %}`,
web/templatetags/facturier_menu.py) are what the base template wrote before they were kept: for each
role, language, current page and "To approve" count."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import translation

from facturier.invoicing.services import LineData, document_create, invoice_submit
from facturier.web.templatetags import facturier_menu

# web/base.html's menu as it was written on every page, to compare with
FORMER_MENU = (Path(__file__).parent / "data" / "former_main_menu.html").read_text(encoding="utf-8")
FORMER_USER_MENU = (Path(__file__).parent / "data" / "former_user_menu.html").read_text(encoding="utf-8")
CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+"')


def shown_menu(html: str) -> str:
    start = html.index('<nav class="mainnav"')
    return html[start : html.index("</nav>", start) + len("</nav>")]


def former_menu(response, language: str) -> str:
    with translation.override(language):
        return engines["django"].from_string(FORMER_MENU).render({}, response.wsgi_request)


def shown_user_menu(html: str) -> str:
    start = html.index('<details class="usermenu"')
    return CSRF.sub(r'\1"', html[start : html.index("</details>", start) + len("</details>")])


def former_user_menu(response, language: str) -> str:
    with translation.override(language):
        html = engines["django"].from_string(FORMER_USER_MENU).render({}, response.wsgi_request)
    return CSRF.sub(r'\1"', html)


PAGES = (
    ("web:dashboard", {}),
    ("web:approval-list", {}),
    ("web:payment-list", {}),
    ("web:document-list", {"slug": "invoices"}),
    ("web:customer-list", {}),
)


@pytest.fixture
def fresh_menu():
    facturier_menu._kept.cache_clear()
    facturier_menu._kept_parts.cache_clear()
    yield
    facturier_menu._kept.cache_clear()
    facturier_menu._kept_parts.cache_clear()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_menu_is_the_former_one_for_each_page_role_and_count(
    client, entity, owner, colleague, approver, customer, product, fresh_menu, language
):
    entity.requires_approval = True
    entity.save()
    for waiting in range(3):  # then one, then two invoices submitted by the owner wait for the approver
        if waiting:
            lines = [LineData(product=product, quantity=Decimal("1"))]
            draft = document_create(entity=entity, kind="invoice", customer=customer, by=owner, lines=lines)
            invoice_submit(invoice=draft, by=owner)
        for user in (owner, colleague, approver):  # admin, accountant (no approvals), approver
            client.force_login(user)
            client.cookies["django_language"] = language
            for name, kwargs in PAGES:
                response = client.get(reverse(name, kwargs=kwargs))
                if response.status_code != 200:
                    continue  # a page the role may not see
                html = response.content.decode()
                assert shown_menu(html) == former_menu(response, language), (user, name)
                assert shown_user_menu(html) == former_user_menu(response, language), (user, name)
    assert facturier_menu._kept.cache_info().hits > 0
    assert facturier_menu._kept_parts.cache_info().hits > 0


def test_a_page_of_the_payments_area_marks_payments(owner_client, fresh_menu):
    html = owner_client.get(reverse("web:payment-list")).content.decode()
    assert 'id="nav-payments" aria-current="page"' in shown_menu(html)
    html = owner_client.get(reverse("web:dashboard")).content.decode()
    assert 'id="nav-payments">' in shown_menu(html)
    assert 'aria-current="page">' in shown_menu(html).split("</a>")[0]
