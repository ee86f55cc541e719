"""Signing in, French by default with English on request, entity switching and tenancy."""

import re

from django.urls import reverse

from facturier.accounts.roles import Role
from facturier.accounts.services import membership_set
from tests.conftest import make_entity


def test_anonymous_visitor_is_sent_to_the_login_page(client, db):
    # when an anonymous visitor opens the dashboard
    response = client.get(reverse("web:dashboard"))
    # then they are redirected to sign in, and come back after
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))
    assert "next=/" in response["Location"]


def test_user_signs_in_with_password_and_lands_on_the_dashboard(client, owner, entity):
    # given the login page in French
    page = client.get(reverse("web:login"))
    assert "Se connecter" in page.content.decode()
    # when the owner signs in
    response = client.post(
        reverse("web:login"), {"username": "owner", "password": "pw-owner-123"}, follow=True
    )
    # then the dashboard of their company is shown
    assert response.redirect_chain[-1][0] == reverse("web:dashboard")
    assert "Tableau de bord" in response.content.decode()
    assert entity.name in response.content.decode()


def test_wrong_password_is_refused_with_a_message(client, owner, entity):
    response = client.post(reverse("web:login"), {"username": "owner", "password": "nope"})
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated
    assert "errors" in response.content.decode()


def test_user_signs_out_with_a_post(owner_client):
    response = owner_client.post(reverse("web:logout"))
    assert response.status_code == 302
    assert owner_client.get(reverse("web:dashboard")).status_code == 302


def test_pages_are_in_french_by_default_and_in_english_after_switching(owner_client):
    # given a signed-in user who never chose a language
    assert 'lang="fr"' in owner_client.get(reverse("web:dashboard")).content.decode()
    # when they pick English in the switcher
    owner_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    # then the pages are in English
    page = owner_client.get(reverse("web:dashboard")).content.decode()
    assert 'lang="en"' in page
    assert "Dashboard" in page
    assert "Outstanding" in page
    assert "Tableau de bord" not in page


def test_an_english_browser_still_gets_french_until_the_user_switches(client, owner, entity):
    # given a browser asking for English
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en-US,en;q=0.9"
    # then the login page and the dashboard are in French
    assert "Se connecter" in client.get(reverse("web:login")).content.decode()
    client.force_login(owner)
    assert "Tableau de bord" in client.get(reverse("web:dashboard")).content.decode()
    # until English is chosen in the switcher
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Dashboard" in client.get(reverse("web:dashboard")).content.decode()


def test_user_without_any_company_gets_a_clear_page(client, django_user_model, db):
    lonely = django_user_model.objects.create_user("lonely", "l@example.fr", "pw-lonely-123")
    client.force_login(lonely)
    response = client.get(reverse("web:dashboard"))
    assert response.status_code == 403
    assert "membre" in response.content.decode()


def test_outsider_gets_404_on_another_companys_document_and_customer(
    outsider_client, draft_invoice, customer
):
    # given the outsider, a member of another company only
    for url in (
        reverse("web:document-detail", kwargs={"pk": draft_invoice.pk}),
        reverse("web:document-edit", kwargs={"pk": draft_invoice.pk}),
        reverse("web:customer-detail", kwargs={"pk": customer.pk}),
        reverse("web:customer-edit", kwargs={"pk": customer.pk}),
    ):
        # then every page of the other company's rows is not found
        assert outsider_client.get(url).status_code == 404, url
    # and an action on it is not found either, and changes nothing
    url = reverse("web:document-action", kwargs={"pk": draft_invoice.pk, "action": "delete"})
    assert outsider_client.post(url).status_code == 404
    draft_invoice.refresh_from_db()


def test_outsider_lists_do_not_show_another_companys_rows(outsider_client, draft_invoice, customer):
    invoices = outsider_client.get(reverse("web:document-list", kwargs={"slug": "invoices"})).content.decode()
    customers = outsider_client.get(reverse("web:customer-list")).content.decode()
    assert customer.name not in invoices
    assert customer.name not in customers


def test_member_of_two_companies_switches_between_them(owner_client, owner, entity):
    # given the owner is also an accountant of a second company
    second = make_entity(name="Seconde Maison SAS", siren="732829320")
    membership_set(entity=second, user=owner, role=Role.ACCOUNTANT, by=None)
    page = owner_client.get(reverse("web:dashboard")).content.decode()
    assert re.search(r'<select name="entity"', page)
    # when they switch to it
    response = owner_client.post(reverse("web:switch-entity"), {"entity": str(second.pk)}, follow=True)
    # then the dashboard is the second company's
    assert response.context["current_entity"] == second
    assert response.context["current_role"] == Role.ACCOUNTANT


def test_switching_to_a_company_one_is_not_a_member_of_is_not_found(outsider_client, entity):
    response = outsider_client.post(reverse("web:switch-entity"), {"entity": str(entity.pk)})
    assert response.status_code == 404
    assert outsider_client.post(reverse("web:switch-entity"), {"entity": "not-a-uuid"}).status_code == 404
