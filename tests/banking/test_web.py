"""The bank pages: accounts, adding one, uploading a statement, the imports and lines, in French."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from facturier.banking.models import BankAccount, BankLine
from tests.banking.conftest import IBAN, csv_bytes
from tests.web.conftest import page_messages


def test_a_clerk_adds_an_account_and_imports_a_statement(owner_client, entity):
    # when the owner adds the account with its IBAN as printed on a RIB
    response = owner_client.post(reverse("web:bank-account-create"),
                                 {"name": "Compte courant", "iban": "FR76 3000 6000 0112 3456 7890 189", "currency": "EUR"})  # fmt: skip
    assert response.status_code == 302
    account = BankAccount.objects.get()
    assert account.iban == IBAN
    # and saves its CSV mapping, then uploads the bank's CSV export for that account
    from facturier.banking.services import bank_account_set_csv_mapping
    from tests.banking.conftest import MAPPING

    bank_account_set_csv_mapping(account=account, mapping=MAPPING, by=None)
    response = owner_client.post(reverse("web:bank-upload"),
                                 {"file": SimpleUploadedFile("export.csv", csv_bytes()), "account": str(account.pk)},
                                 follow=True)  # fmt: skip
    # then the lines are stored and the page says so, in French
    assert BankLine.objects.count() == 3
    assert page_messages(response)[-1] == "Relevé importé : 3 nouvelles lignes, 0 déjà importées."
    assert "export.csv" in response.content.decode()
    # and the lines page lists them
    lines = owner_client.get(reverse("web:bank-lines"), {"account": str(account.pk)}).content.decode()
    assert "FRAIS TENUE DE COMPTE" in lines
    assert "Non rapprochée" in lines
    # and the same file again adds nothing
    again = owner_client.post(reverse("web:bank-upload"),
                              {"file": SimpleUploadedFile("export.csv", csv_bytes()), "account": str(account.pk)},
                              follow=True)  # fmt: skip
    assert page_messages(again) == ["Ce fichier a déjà été importé : rien de nouveau."]
    assert BankLine.objects.count() == 3


def test_a_refused_file_or_iban_is_shown_on_the_form(owner_client, entity, account):
    bad_iban = owner_client.post(reverse("web:bank-account-create"), {"iban": "FR76 1234"})
    assert bad_iban.status_code == 400
    assert "IBAN" in bad_iban.content.decode()
    refused = owner_client.post(reverse("web:bank-upload"), {"file": SimpleUploadedFile("scan.pdf", b"%PDF")})
    assert refused.status_code == 422
    assert "Fichier refusé" in refused.content.decode()
    assert not BankLine.objects.exists()


def test_the_owner_sees_the_companys_accounts(owner_client, entity, account):
    assert "Compte courant" in owner_client.get(reverse("web:bank-home")).content.decode()


def test_a_member_who_cannot_record_payments_sees_no_import(member_client, account):
    client = member_client("sales")
    assert client.get(reverse("web:bank-home")).status_code == 200
    assert client.get(reverse("web:bank-upload")).status_code == 404
    assert client.get(reverse("web:bank-account-create")).status_code == 404


def test_an_outsider_does_not_see_another_companys_accounts(outsider_client, account):
    page = outsider_client.get(reverse("web:bank-home")).content.decode()
    assert "Compte courant" not in page
