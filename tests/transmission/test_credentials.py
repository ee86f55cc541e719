"""Each company's connector account is kept in the database, encrypted with a key from outside it."""

import base64
import os
import stat

import pytest
from cryptography.fernet import Fernet

from facturier.accounts.credentials import connector_credentials_set
from facturier.audit.models import AuditEvent
from facturier.common.errors import PermissionDenied
from facturier.common.secrets import SecretUnreadable, decrypt_json
from facturier.jobs.models import ConnectorCredential
from facturier.transmission.channels import accounts, get_channel
from facturier.transmission.models import Transmission, TransmissionStatus
from facturier.transmission.services import transmission_request
from tests.transmission.fakes import chorus_pro

pytestmark = pytest.mark.django_db


@pytest.fixture
def key(settings):
    settings.FACTURIER_CREDENTIALS_KEY = Fernet.generate_key().decode()
    return settings.FACTURIER_CREDENTIALS_KEY


def test_stored_credentials_are_encrypted_and_never_audited(key, entity, owner):
    # when the company stores its Chorus Pro account
    connector_credentials_set(entity=entity, connector="chorus_pro", by=owner,
                              values={"login": "TECH_dupont", "password": "s3cret-pw"})  # fmt: skip
    # then the database holds no readable secret, the key opens it, and the audit names only the settings
    row = ConnectorCredential.objects.get(entity=entity)
    assert "s3cret-pw" not in row.secret
    assert "TECH_dupont" not in row.secret
    assert decrypt_json(row.secret) == {"login": "TECH_dupont", "password": "s3cret-pw"}
    event = AuditEvent.objects.get(action="entity.credentials_set")
    assert event.after == {"connector": "chorus_pro", "settings": ["login", "password"]}


def test_only_an_administrator_stores_credentials(key, entity, colleague):
    with pytest.raises(PermissionDenied):
        connector_credentials_set(entity=entity, connector="pdp", by=colleague, values={"token": "x"})


def test_the_stored_account_wins_over_the_environment_account_keyed_by_siren(
    key, chorus, channels, public_customer, issued_invoice, entity, owner, monkeypatch,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    # given a wrong legacy account for the SIREN in the environment, and the right one stored
    channels["chorus_pro"].update(login="TECH_other", password="other")
    monkeypatch.setenv(
        "CHORUS_PRO_ACCOUNTS", f'{{"{entity.siren}": {{"login": "legacy", "password": "legacy"}}}}'
    )
    connector_credentials_set(entity=entity, connector="chorus_pro", by=owner,
                              values={"login": chorus_pro.LOGIN, "password": chorus_pro.PASSWORD})  # fmt: skip
    # when the invoice is sent
    with django_capture_on_commit_callbacks(execute=True):
        transmission_request(document=issued_invoice, by=None)
    # then the deposit used the stored account
    (call,) = chorus.calls("/cpro/factures/v1/deposer/flux")
    assert (
        base64.b64decode(call.headers["cpro-account"]).decode() == f"{chorus_pro.LOGIN}:{chorus_pro.PASSWORD}"
    )
    assert Transmission.objects.get(document=issued_invoice).status == TransmissionStatus.SENT
    assert accounts("chorus_pro")[entity.siren]["login"] == chorus_pro.LOGIN


def test_the_environment_account_is_still_read_when_nothing_is_stored(channels, entity, monkeypatch):
    # given only the legacy environment variable keyed by SIREN
    monkeypatch.setenv(
        "CHORUS_PRO_ACCOUNTS", f'{{"{entity.siren}": {{"login": "legacy", "password": "pw"}}}}'
    )
    # then the channel for that company uses it
    assert get_channel("chorus_pro", entity.siren).config.login == "legacy"


def test_without_a_key_in_the_environment_a_private_key_file_is_created_in_the_data_dir(
    settings, tmp_path, entity, owner
):
    # given no key configured
    settings.FACTURIER_CREDENTIALS_KEY, settings.DATA_DIR = "", tmp_path
    # when credentials are stored twice
    connector_credentials_set(entity=entity, connector="pdp", by=owner, values={"token": "t-1"})
    connector_credentials_set(entity=entity, connector="pdp", by=owner, values={"token": "t-2"})
    # then one key file readable by its owner only was made and used
    key_file = tmp_path / "credentials.key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert decrypt_json(ConnectorCredential.objects.get().secret) == {"token": "t-2"}


def test_a_secret_under_another_key_is_refused_not_misread(key, settings, entity, owner):
    # given credentials stored under one key
    connector_credentials_set(entity=entity, connector="pdp", by=owner, values={"token": "t"})
    # when the key is replaced by an unrelated one
    settings.FACTURIER_CREDENTIALS_KEY = Fernet.generate_key().decode()
    # then reading fails clearly; with both keys (rotation) it reads
    with pytest.raises(SecretUnreadable):
        decrypt_json(ConnectorCredential.objects.get().secret)
    settings.FACTURIER_CREDENTIALS_KEY += "," + key
    assert decrypt_json(ConnectorCredential.objects.get().secret) == {"token": "t"}


def test_the_credentials_command_reads_a_secret_from_stdin(key, entity, monkeypatch):
    import io

    from django.core.management import call_command

    # given the secret on standard input
    monkeypatch.setattr("sys.stdin", io.StringIO("pw-from-stdin\n"))
    out = io.StringIO()
    # when the account is stored from the command line
    call_command("connector_credentials", "--entity", entity.siren, "--connector", "chorus_pro",
                 "login=TECH_9", "password=-", stdout=out)  # fmt: skip
    # then it is stored encrypted, the secret never printed
    assert decrypt_json(ConnectorCredential.objects.get().secret) == {
        "login": "TECH_9",
        "password": "pw-from-stdin",
    }
    assert "pw-from-stdin" not in out.getvalue()
