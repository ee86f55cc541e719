"""The company page: administrators maintain their company, numbering series and members; other roles
get 403, another company's rows do not exist (404), and bad input leaves the row exactly as it was."""

import io

import pikepdf
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from facturier.accounts.models import LegalEntity, Membership
from facturier.audit.models import AuditEvent
from facturier.documents.render import render_pdf
from facturier.invoicing.models import NumberingSeries
from facturier.invoicing.services import invoice_issue

URL = "/company/"


def png_bytes() -> bytes:
    import segno

    buffer = io.BytesIO()
    segno.make("LOGO").save(buffer, kind="png", scale=4)
    return buffer.getvalue()


def form_data(client, **changes) -> dict:
    """What the browser posts back: the form as shown, with `changes` typed in."""
    form = client.get(reverse("web:company-settings")).context["form"]
    data = {}
    for name in form.fields:
        if name == "logo":
            continue
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = "" if value is None else value
    for name, value in changes.items():
        if value is False:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def row(entity) -> dict:
    return LegalEntity.objects.filter(pk=entity.pk).values().get()


def image_xobjects(pdf: bytes) -> int:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return sum(
            1
            for page in document.pages
            for _name, xobject in (page.resources.get("/XObject") or {}).items()
            if xobject.get("/Subtype") == "/Image"
        )


def page_contents(pdf: bytes) -> bytes:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        streams = [
            stream
            for page in document.pages
            for stream in ([page.Contents] if isinstance(page.Contents, pikepdf.Stream) else page.Contents)
        ]
        return b"".join(stream.read_bytes() for stream in streams)


def test_an_admin_edits_the_company_and_sees_the_change(owner_client, entity):
    # given the administrator on the company page, in French by default
    page = owner_client.get(reverse("web:company-settings"))
    assert page.status_code == 200
    assert 'id="nav-company"' in page.content.decode()
    # when they change the name, the time zone, the approval rule and the footer
    response = owner_client.post(
        reverse("web:company-settings"),
        form_data(owner_client, name="Dupont Conseil SAS", time_zone="Indian/Reunion", requires_approval="on",
                  footer_text="Merci !", siret="55210055400021"),
    )  # fmt: skip
    # then they are sent back to the page, which shows the new values
    assert response.status_code == 302
    entity.refresh_from_db()
    assert (entity.name, entity.time_zone, entity.requires_approval) == (
        "Dupont Conseil SAS",
        "Indian/Reunion",
        True,
    )
    assert entity.siret == "55210055400021"
    page = owner_client.get(reverse("web:company-settings"))
    assert "Dupont Conseil SAS" in page.content.decode()
    assert "Paramètres de la société enregistrés." in [str(m) for m in page.context["messages"]]
    assert AuditEvent.objects.filter(action="entity.updated", entity=entity).count() == 1


def test_an_accountant_gets_403_and_no_link(client, colleague, entity):
    # given the accountant of the company
    client.force_login(colleague)
    before = row(entity)
    assert 'id="nav-company"' not in client.get(reverse("web:dashboard")).content.decode()
    assert client.get(reverse("web:company-settings")).status_code == 403
    # when they post anyway, then nothing changes
    response = client.post(reverse("web:company-settings"), {"name": "Piratage SAS"})
    assert response.status_code == 403
    series = NumberingSeries.objects.get(entity=entity, code="invoice")
    assert client.post(reverse("web:company-series", kwargs={"pk": series.pk}),
                       {f"{series.pk}-pattern": "X-{YYYY}-{seq}", f"{series.pk}-reset": "yearly"}).status_code == 403  # fmt: skip
    assert row(entity) == before


def test_an_outsider_sees_only_their_own_company_and_finds_nothing_of_ours(outsider_client, entity, owner):
    # given the administrator of another company
    page = outsider_client.get(reverse("web:company-settings"))
    # then their page shows their company, not ours
    assert page.status_code == 200
    assert page.context["form"].instance.name == "Autre Société SARL"
    assert "Atelier Dupont" not in page.content.decode()
    # and our series and members do not exist for them
    series = NumberingSeries.objects.get(entity=entity, code="invoice")
    membership = Membership.objects.get(entity=entity, user=owner)
    response = outsider_client.post(reverse("web:company-series", kwargs={"pk": series.pk}),
                                    {f"{series.pk}-pattern": "X-{YYYY}-{seq}", f"{series.pk}-reset": "yearly"})  # fmt: skip
    assert response.status_code == 404
    response = outsider_client.post(reverse("web:company-member-role", kwargs={"pk": membership.pk}),
                                    {f"{membership.pk}-role": "auditor"})  # fmt: skip
    assert response.status_code == 404
    assert NumberingSeries.objects.get(pk=series.pk).pattern == "FAC-{YYYY}-{seq:05}"
    assert Membership.objects.get(pk=membership.pk).role == "admin"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("siret", "55210055400014"),
        ("iban", "FR7630006000011234567890188"),
        ("time_zone", "Europe/Lutece"),
        ("brand_color", "bleu"),
        ("vat_number", "FR00552100554"),
        ("electronic_address", "552100554"),  # without its scheme
    ],
)
def test_bad_input_gives_an_error_on_its_field_and_writes_nothing(owner_client, entity, field, value):
    before = row(entity)
    data = form_data(owner_client, name="Nom changé", **{field: value})
    if field == "electronic_address":
        data["electronic_address_scheme"] = ""
    response = owner_client.post(reverse("web:company-settings"), data)
    assert response.status_code == 200
    form = response.context["form"]
    errors = form.errors
    assert set(errors) & {field, "electronic_address_scheme"}, errors
    assert row(entity) == before
    assert 'class="field has-error' in response.content.decode()


def test_a_logo_that_is_not_an_image_is_refused(owner_client, entity, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    before = row(entity)
    for upload in (SimpleUploadedFile("logo.png", b"MZ\x90\x00 not an image"),
                   SimpleUploadedFile("logo.exe", png_bytes())):  # fmt: skip
        response = owner_client.post(
            reverse("web:company-settings"), {**form_data(owner_client), "logo": upload}
        )
        assert "logo" in response.context["form"].errors
    assert row(entity) == before


def test_an_uploaded_logo_is_printed_on_the_pdf(owner_client, entity, draft_invoice, settings, tmp_path):
    # given a draft invoice printed without a logo
    settings.MEDIA_ROOT = str(tmp_path)
    assert image_xobjects(render_pdf(draft_invoice)) == 0
    # when the administrator uploads a PNG logo
    upload = SimpleUploadedFile("logo.png", png_bytes(), content_type="image/png")
    response = owner_client.post(reverse("web:company-settings"), {**form_data(owner_client), "logo": upload})
    assert response.status_code == 302
    # then the settings page shows it and the PDF carries it as an image
    logo = owner_client.get(reverse("web:company-logo"))
    assert (logo.status_code, logo["Content-Type"]) == (200, "image/png")
    assert logo.content == png_bytes()
    draft_invoice.refresh_from_db()
    assert image_xobjects(render_pdf(draft_invoice)) == 1


def test_a_series_pattern_changes_before_any_number_and_is_refused_after(
    owner_client, entity, draft_invoice, owner
):
    series = NumberingSeries.objects.get(entity=entity, code="invoice")
    url = reverse("web:company-series", kwargs={"pk": series.pk})
    # given no invoice numbered yet: the pattern may change
    response = owner_client.post(
        url, {f"{series.pk}-pattern": "F-{YYYY}-{seq:06}", f"{series.pk}-reset": "yearly"}
    )
    assert response.status_code == 302
    series.refresh_from_db()
    assert series.pattern == "F-{YYYY}-{seq:06}"
    # when an invoice is issued, then the next change is refused with the reason, and nothing changes
    invoice_issue(invoice=draft_invoice, by=owner)
    page = owner_client.get(reverse("web:company-settings"))
    assert "le modèle est verrouillé" in page.content.decode()
    response = owner_client.post(
        url, {f"{series.pk}-pattern": "G-{YYYY}-{seq:06}", f"{series.pk}-reset": "yearly"}
    )
    assert response.status_code == 200
    row_form = next(r["form"] for r in response.context["series_rows"] if r["series"].pk == series.pk)
    assert "pattern" in row_form.errors
    assert "milieu" in row_form.errors["pattern"][0]
    series.refresh_from_db()
    assert series.pattern == "F-{YYYY}-{seq:06}"


def test_an_illegal_pattern_is_a_form_error(owner_client, entity):
    series = NumberingSeries.objects.get(entity=entity, code="invoice")
    response = owner_client.post(reverse("web:company-series", kwargs={"pk": series.pk}),
                                 {f"{series.pk}-pattern": "FACTURE 1", f"{series.pk}-reset": "yearly"})  # fmt: skip
    row_form = next(r["form"] for r in response.context["series_rows"] if r["series"].pk == series.pk)
    assert "pattern" in row_form.errors
    assert NumberingSeries.objects.get(pk=series.pk).pattern == "FAC-{YYYY}-{seq:05}"


def test_a_role_change_is_audited(owner_client, entity, colleague):
    membership = Membership.objects.get(entity=entity, user=colleague)
    response = owner_client.post(reverse("web:company-member-role", kwargs={"pk": membership.pk}),
                                 {f"{membership.pk}-role": "approver"})  # fmt: skip
    assert response.status_code == 302
    assert Membership.objects.get(pk=membership.pk).role == "approver"
    event = AuditEvent.objects.filter(entity=entity, action="membership.set").latest("position")
    assert event.after == {"user": "colleague", "role": "approver"}
    assert event.actor.username == "owner"


def test_the_last_admin_cannot_be_demoted(owner_client, entity, owner):
    membership = Membership.objects.get(entity=entity, user=owner)
    response = owner_client.post(reverse("web:company-member-role", kwargs={"pk": membership.pk}),
                                 {f"{membership.pk}-role": "accountant"})  # fmt: skip
    assert response.status_code == 200
    member_form = next(m["form"] for m in response.context["members"] if m["membership"].pk == membership.pk)
    assert "role" in member_form.errors
    assert Membership.objects.get(pk=membership.pk).role == "admin"


def test_an_admin_adds_an_existing_user_by_username(owner_client, entity):
    get_user_model().objects.create_user("camille")
    response = owner_client.post(
        reverse("web:company-member-add"), {"new-username": "camille", "new-role": "sales"}
    )
    assert response.status_code == 302
    assert Membership.objects.get(entity=entity, user__username="camille").role == "sales"
    response = owner_client.post(
        reverse("web:company-member-add"), {"new-username": "personne", "new-role": "sales"}
    )
    assert "username" in response.context["member_form"].errors
    assert not Membership.objects.filter(user__username="personne").exists()


# --- the Django admin, for superusers ---------------------------------------------------------------


@pytest.fixture
def superuser_client(client, db):
    root = get_user_model().objects.create_superuser("root", "root@example.fr", "pw-root-123")
    client.force_login(root)
    return client


def admin_form_data(client, url: str, **changes) -> dict:
    form = client.get(url).context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = "" if value is None else value
    return {**data, **changes}


def test_a_superuser_changes_a_company_in_the_admin_through_the_audited_service(superuser_client, entity):
    url = reverse("admin:accounts_legalentity_change", args=[entity.pk])
    response = superuser_client.post(
        url, admin_form_data(superuser_client, url, city="Lyon", postcode="69002")
    )
    assert response.status_code == 302
    entity.refresh_from_db()
    assert entity.city == "Lyon"
    event = AuditEvent.objects.filter(action="entity.updated").get()
    assert event.actor_label == "admin:root"
    assert (event.before["city"], event.after["city"]) == ("Paris", "Lyon")


def test_the_admin_refuses_an_invalid_siret_like_the_company_page(superuser_client, entity):
    url = reverse("admin:accounts_legalentity_change", args=[entity.pk])
    before = row(entity)
    response = superuser_client.post(url, admin_form_data(superuser_client, url, siret="55210055400014"))
    assert response.status_code == 200
    assert "siret" in response.context["adminform"].form.errors
    assert row(entity) == before
    assert not AuditEvent.objects.filter(action="entity.updated").exists()


def test_the_admin_is_for_superusers_only(client, owner, entity):
    owner.is_staff = True
    owner.save()
    client.force_login(owner)
    response = client.get(reverse("admin:accounts_legalentity_change", args=[entity.pk]))
    assert response.status_code in {302, 403}


def test_documents_are_read_only_in_the_admin(superuser_client, draft_invoice):
    url = reverse("admin:invoicing_document_change", args=[draft_invoice.pk])
    page = superuser_client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert superuser_client.post(url, {"note": "changed"}).status_code == 403


def test_a_superuser_revokes_an_api_key_in_the_admin_and_it_is_audited(superuser_client, entity):
    from facturier.accounts.models import ApiKey
    from facturier.accounts.services import api_key_create

    key, _secret = api_key_create(entity=entity, name="CRM", scopes=["invoices:read"], by=None)
    response = superuser_client.post(
        reverse("admin:accounts_apikey_changelist"), {"action": "revoke", "_selected_action": [str(key.pk)]}
    )
    assert response.status_code == 302
    assert ApiKey.objects.get(pk=key.pk).revoked_at is not None
    assert AuditEvent.objects.filter(action="apikey.revoked").get().actor_label == "admin:root"


def test_a_superuser_edits_a_product_in_the_admin_through_the_catalog_service(superuser_client, product):
    url = reverse("admin:catalog_product_change", args=[product.pk])
    response = superuser_client.post(url, admin_form_data(superuser_client, url, unit_price="900.00"))
    assert response.status_code == 302
    product.refresh_from_db()
    assert str(product.unit_price) == "900.000000"
    assert AuditEvent.objects.filter(object_id=str(product.pk)).latest("position").actor_label == "admin:root"
    # and the standard VAT category at 0 % is a form error, the product unchanged
    response = superuser_client.post(
        url, admin_form_data(superuser_client, url, vat_category="S", vat_rate="0.00")
    )
    assert response.status_code == 200
    product.refresh_from_db()
    assert str(product.unit_price) == "900.000000"


def test_a_superuser_adds_a_customer_in_the_admin(superuser_client, entity):
    from facturier.parties.models import Customer

    url = reverse("admin:parties_customer_add")
    data = admin_form_data(superuser_client, url, entity=str(entity.pk), code="C900", name="Client Admin SAS",
                           address_line1="1 rue Neuve", postcode="75001", city="Paris", siren="443061841")  # fmt: skip
    response = superuser_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    customer = Customer.objects.get(entity=entity, code="C900")
    assert AuditEvent.objects.filter(object_id=str(customer.pk), action="customer.created").exists()


def test_the_company_page_speaks_english_when_chosen(owner_client, entity):
    # given the administrator who picked English in the switcher
    owner_client.cookies["django_language"] = "en"
    response = owner_client.post(
        reverse("web:company-settings"), form_data(owner_client, time_zone="Mars/Olympus")
    )
    # then the page and its errors are in English
    page = response.content.decode()
    assert "Numbering series" in page
    assert "Unknown time zone: use an IANA name such as Europe/Paris." in page
    # and in French by default
    del owner_client.cookies["django_language"]
    page = owner_client.get(reverse("web:company-settings")).content.decode()
    assert "Séries de numérotation" in page
    assert ">Société</a>" in page


def test_an_svg_logo_is_drawn_on_the_pdf(owner_client, entity, draft_invoice, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    without = render_pdf(draft_invoice)
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
           b'<rect width="40" height="20" fill="#aa3300"/></svg>')  # fmt: skip
    upload = SimpleUploadedFile("logo.svg", svg, content_type="image/svg+xml")
    response = owner_client.post(reverse("web:company-settings"), {**form_data(owner_client), "logo": upload})
    assert response.status_code == 302
    logo = owner_client.get(reverse("web:company-logo"))
    assert logo["Content-Type"] == "image/svg+xml"
    assert "sandbox" in logo["Content-Security-Policy"]
    draft_invoice.refresh_from_db()
    # then the PDF draws its rectangle in the logo's colour (#aa3300 as an RGB fill), which it did not before
    assert b"0.6666667 0.2 0 sc" not in page_contents(without)
    assert b"0.6666667 0.2 0 sc" in page_contents(render_pdf(draft_invoice))
