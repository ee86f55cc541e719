"""Seal keys outside the database (created on first use, rotated, unknown ones reported) and signed
checkpoints outside it (written at issue and by command, truncation below them reported)."""

import io
import json
import os
import secrets
import stat
import subprocess
import sys
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection

from facturier.audit.checkpoints import checkpoint_dir, flush_checkpoints, write_checkpoints
from facturier.audit.keys import keyring
from facturier.audit.models import AuditEvent
from facturier.audit.verify import verify_all
from facturier.domain.sealing import sign
from facturier.invoicing.models import Document
from facturier.invoicing.services import LineData, document_create, invoice_issue
from tests.audit.test_tampering import assert_named, attack, db_id, delete_document, verify
from tests.e2e.server import ROOT

KEY_1 = "k1:" + "a" * 40
KEY_2 = "k2:" + "b" * 40


@pytest.fixture
def key_file(settings, tmp_path):
    """No key in the environment: the key file of the data dir (set before any seal is made)."""
    settings.FACTURIER_SEAL_KEYS = ""
    settings.FACTURIER_SEAL_KEY_FILE = str(tmp_path / "keys" / "seal-keys")
    return tmp_path / "keys" / "seal-keys"


@pytest.fixture
def first_key(settings):
    settings.FACTURIER_SEAL_KEYS = KEY_1


def test_key_file_is_created_for_the_owner_only_on_first_seal(key_file, draft_invoice, owner):
    # given no key anywhere before the first seal; when an invoice is issued
    invoice = invoice_issue(invoice=draft_invoice, by=owner)
    # then a key file readable by its owner only holds the key that sealed it
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key_id = key_file.read_text().splitlines()[0].partition(":")[0]
    assert invoice.seal_key_id == key_id
    assert AuditEvent.objects.filter(key_id=key_id).count() == AuditEvent.objects.count()
    assert verify_all() == []


def test_rotated_key_seals_new_documents_and_old_seals_still_verify(first_key, settings, draft_invoice, owner, entity, customer, product):  # fmt: skip
    old = invoice_issue(invoice=draft_invoice, by=owner)
    # when a new key is put first, the old one kept to verify what it sealed
    settings.FACTURIER_SEAL_KEYS = f"{KEY_2},{KEY_1}"
    draft = document_create(entity=entity, kind="invoice", customer=customer, by=owner,
                            lines=[LineData(product=product, quantity=Decimal(1))])  # fmt: skip
    new = invoice_issue(invoice=draft, by=owner)
    # then new seals use the new key id and everything verifies
    assert (old.seal_key_id, new.seal_key_id) == ("k1", "k2")
    assert AuditEvent.objects.order_by("-position").first().key_id == "k2"
    assert verify()[0] == 0


def test_keygen_rotates_the_key_file(key_file, draft_invoice, owner):
    # given the key file made when the draft was created, and a key generated on top of it
    call_command("audit_keygen", stdout=io.StringIO())
    before = key_file.read_text().splitlines()
    old = invoice_issue(invoice=draft_invoice, by=owner)
    # when the key is rotated again
    call_command("audit_keygen", stdout=io.StringIO())
    # then a new key comes first, the others are kept, and what the older ones sealed still verifies
    lines = key_file.read_text().splitlines()
    assert len(lines) == 3
    assert lines[1:] == before
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert old.seal_key_id == before[0].partition(":")[0]
    assert verify_all() == []


def test_seals_of_an_unknown_key_id_are_reported(first_key, settings, draft_invoice, owner):
    invoice = invoice_issue(invoice=draft_invoice, by=owner)
    # when the key that sealed them is no longer configured
    settings.FACTURIER_SEAL_KEYS = KEY_2
    code, output = verify()
    assert code == 1
    assert_named(output, "document-seal", invoice.number)
    assert "'k1'" in output  # the unknown key id is named


def test_a_checkpoint_is_written_when_an_issue_commits(draft_invoice, owner, entity, django_capture_on_commit_callbacks):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        invoice = invoice_issue(invoice=draft_invoice, by=owner)
    files = list((checkpoint_dir() / str(entity.pk)).glob("*.json"))
    assert len(files) == 1
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o444
    checkpoint = json.loads(files[0].read_text())
    series = checkpoint["chains"][f"series:{invoice.series_id}"]
    assert (series["length"], series["head"], series["code"]) == (1, invoice.seal_hash, "invoice")
    assert (
        checkpoint["chains"][f"audit:{entity.pk}"]["length"]
        == AuditEvent.objects.filter(entity=entity).count()
    )
    assert checkpoint["reason"] == "issue"
    assert checkpoint["signature"]


def test_checkpoints_after_issues_within_the_interval_are_written_once_at_its_end(settings, entity, customer, product, owner, django_capture_on_commit_callbacks):  # fmt: skip
    # given checkpoints at most every 60 seconds after issues
    settings.FACTURIER_CHECKPOINT_INTERVAL = 60
    folder = checkpoint_dir() / str(entity.pk)
    issued = []
    # when three invoices are issued one after the other
    for quantity in (1, 2, 3):
        draft = document_create(entity=entity, kind="invoice", customer=customer, by=owner,
                                lines=[LineData(product=product, quantity=Decimal(quantity))])  # fmt: skip
        with django_capture_on_commit_callbacks(execute=True):
            issued.append(invoice_issue(invoice=draft, by=owner))
        connection.run_on_commit.clear()  # each issue is a transaction of its own, as in production
    # then the first commit wrote one at once, and the next two left a single one due
    assert len(list(folder.glob("*.json"))) == 1
    written = flush_checkpoints()
    assert len(written) == 1
    assert len(list(folder.glob("*.json"))) == 2
    # which records the chains as they were after the last issue
    checkpoint = json.loads(written[0].read_text())
    series = checkpoint["chains"][f"series:{issued[-1].series_id}"]
    assert (series["length"], series["head"]) == (3, issued[-1].seal_hash)
    assert checkpoint["reason"] == "issue"
    assert flush_checkpoints() == []
    assert verify_all() == []


def test_the_checkpoint_command_adds_files_and_never_overwrites(draft_invoice, owner, entity):
    invoice_issue(invoice=draft_invoice, by=owner)
    call_command("audit_checkpoint", stdout=io.StringIO())
    call_command("audit_checkpoint", stdout=io.StringIO())
    assert len(list((checkpoint_dir() / str(entity.pk)).glob("*.json"))) == 2
    assert verify_all() == []


def test_truncation_below_the_last_checkpoint_is_reported(entity, customer, product, owner):
    def issue(quantity):  # type: ignore[no-untyped-def]
        draft = document_create(entity=entity, kind="invoice", customer=customer, by=owner,
                                lines=[LineData(product=product, quantity=Decimal(quantity))])  # fmt: skip
        return invoice_issue(invoice=draft, by=owner)

    first, last = issue(1), issue(2)
    write_checkpoints()
    # when the attacker removes the last invoice, every event from its creation on, and sets heads and
    # counter back: the database is consistent in itself
    key = f"audit:{entity.pk}"
    created = AuditEvent.objects.get(object_id=str(last.pk), action="invoice.created")
    kept = AuditEvent.objects.get(chain_key=key, position=created.position - 1)
    attack(*delete_document(last),
           ("DELETE FROM audit_auditevent WHERE chain_key = %s AND position >= %s", [key, created.position]),
           ("UPDATE audit_chainhead SET length = %s, last_hash = %s WHERE key = %s", [kept.position, kept.hash, key]),
           ("UPDATE invoicing_numberingseries SET chain_length = 1, chain_hash = %s WHERE id = %s",
            [first.seal_hash, db_id(first.series_id)]),
           ("UPDATE invoicing_sequencecounter SET last_value = 1 WHERE series_id = %s", [db_id(first.series_id)]))  # fmt: skip
    # then only the checkpoint tells, and it names the series and the audit chain
    breaches = verify_all()
    assert {b.check for b in breaches} == {"checkpoint-truncation"}, breaches
    code, output = verify()
    assert code == 1
    assert_named(output, "checkpoint-truncation", "series invoice")
    assert_named(output, "checkpoint-truncation", key)
    assert not Document.objects.filter(pk=last.pk).exists()


def test_an_altered_checkpoint_file_is_reported(draft_invoice, owner, entity):
    invoice_issue(invoice=draft_invoice, by=owner)
    (path,) = write_checkpoints([str(entity.pk)])
    content = json.loads(path.read_text())
    content["chains"] = {}
    path.chmod(0o644)
    path.write_text(json.dumps(content))
    code, output = verify()
    assert code == 1
    assert_named(output, "checkpoint-signature", path.name)


def test_production_refuses_to_start_without_a_seal_key(tmp_path):
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "FACTURIER_SEAL"))
    }
    env.update(FACTURIER_DATA_DIR=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
               SECRET_KEY=secrets.token_urlsafe(50))  # fmt: skip
    done = subprocess.run([sys.executable, "-m", "facturier.cli", "serve", "--port", "1"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode != 0
    assert "No seal key" in done.stderr
    assert "facturier audit keygen" in done.stderr
    assert not (tmp_path / "keys").exists(), "production never makes a key up"


@pytest.mark.parametrize("keys", ["k1:short", ":" + "a" * 40, f"{KEY_1},{KEY_1}"])
def test_malformed_or_repeated_seal_keys_are_refused_without_showing_the_secret(keys):
    from django.core.exceptions import ImproperlyConfigured

    from facturier.audit.keys import parse_keys

    with pytest.raises(ImproperlyConfigured) as refused:
        parse_keys(keys)
    assert "aaaa" not in str(refused.value)
    assert "short" not in str(refused.value)


def test_a_checkpoint_chain_no_installed_app_knows_is_reported(draft_invoice, owner, entity):
    # given a signed checkpoint that records, beside the entity's chains, one no installed app contributes
    # (an app removed since: its chains can no longer be compared with the database)
    invoice_issue(invoice=draft_invoice, by=owner)
    (path,) = write_checkpoints([str(entity.pk)])
    body = {name: value for name, value in json.loads(path.read_text()).items() if name != "signature"}
    body["chains"]["billing:contract-7"] = {"length": 3, "head": "0" * 64}
    forged = path.with_name("99999999T999999999999Z-forged.json")  # sorts last: the latest checkpoint
    forged.write_text(json.dumps({**body, "signature": sign(keyring().current, body)}))
    # when the database is verified
    code, output = verify()
    # then the unknown chain is named, and the known ones of the same checkpoint are still compared
    assert code == 1
    assert_named(output, "checkpoint-unknown-chain", forged.name)
    assert "checkpoint-truncation" not in output
