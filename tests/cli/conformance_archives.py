"""Publisher-like archives built from ``shared/conformance``, and a local HTTP server for them.

Each archive mimics its publisher's layout (a release zip with ``xslt/`` at its root, a GitHub
snapshot with a top-level folder, a Maven jar with two rule-set versions), so the installer is
exercised on the same shapes it meets on the network.
"""

import hashlib
import io
import tarfile
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ARCHIVES = {
    "en16931-cii": "en16931-cii-1.3.16.zip",
    "en16931-ubl": "en16931-ubl-1.3.16.zip",
    "cii-d16b": "validation-1.3.16.zip",
    "ubl21": "UBL-2.1.zip",
    "fr-ctc": "France_RFE-1.4.0.04.tar.gz",
    "peppol": "phive-rules-peppol-4.6.1.jar",
}


def _tree(root: Path, prefix: str) -> dict[str, Path]:
    return {f"{prefix}/{p.relative_to(root).as_posix()}": p for p in sorted(root.rglob("*")) if p.is_file()}


def write_zip(path: Path, members: dict[str, Path | bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, content in members.items():
            bundle.writestr(name, content if isinstance(content, bytes) else content.read_bytes())


def _write_tar(path: Path, members: dict[str, Path]) -> None:
    with tarfile.open(path, "w:gz") as bundle:
        for name, source in members.items():
            data = source.read_bytes()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            bundle.addfile(info, io.BytesIO(data))


def build_archives(shared: Path, out: Path) -> dict[str, str]:
    """Write the six archives into ``out``; returns {source name: SHA-256}."""
    conf = shared / "conformance"
    en = conf / "en16931"
    write_zip(out / ARCHIVES["en16931-cii"], {
        **_tree(en / "cii" / "xslt", "xslt"), "LICENSE.txt": en / "LICENSE.txt",
    })  # fmt: skip
    write_zip(out / ARCHIVES["en16931-ubl"], _tree(en / "ubl" / "xslt", "xslt"))
    snapshot = "eInvoicing-EN16931-validation-1.3.16/cii"
    write_zip(out / ARCHIVES["cii-d16b"], {
        **_tree(en / "cii" / "schema" / "D16B-coupled", f"{snapshot}/schema/D16B SCRDM (Subset)/coupled clm"),
        **_tree(en / "cii" / "schema" / "D16B-uncoupled", f"{snapshot}/schema/D16B SCRDM (Subset)/uncoupled clm"),
        **_tree(en / "cii" / "xslt", f"{snapshot}/xslt"),
    })  # fmt: skip
    write_zip(out / ARCHIVES["ubl21"], _tree(conf / "ubl21" / "xsd", "xsd"))
    fr = conf / "fr-ctc"
    top = "France_RFE-1.4.0.04/FNFE_RFE_INVOICE"
    _write_tar(out / ARCHIVES["fr-ctc"], {
        "France_RFE-1.4.0.04/LICENSE": fr / "LICENSE",
        **_tree(fr / "CII" / "1xsd-CII_D22B_uncoupled", f"{top}/CII/1xsd-CII_D22B_uncoupled"),
        **_tree(fr / "CII" / "BR-FR" / "2xslt", f"{top}/CII/EN16931/2xslt"),
        **_tree(fr / "CII" / "EXTENDED-CTC-FR" / "2xslt", f"{top}/CII/EXTENDED-CTC-FR/2xslt"),
        **_tree(fr / "UBL" / "BR-FR" / "2xslt", f"{top}/UBL/EN16931/2xslt"),
        **_tree(fr / "UBL" / "EXTENDED-CTC-FR" / "2xslt", f"{top}/UBL/EXTENDED-CTC-FR/2xslt"),
        **_tree(fr / "CDAR", f"{top}/CDAR"),
        **_tree(conf / "facturx" / "EN16931", f"{top}/Factur-X/EN16931"),
        # France_RFE repeats the BR-FR rules beside each Factur-X profile: never the copy to take.
        f"{top}/Factur-X/EN16931/2xslt/BR-FR-Flux2-Schematron-CII.xslt": conf / "README.md",
    })  # fmt: skip
    peppol = conf / "peppol" / "bis-billing-3.0.21" / "xslt"
    write_zip(out / ARCHIVES["peppol"], {
        **_tree(peppol, "external/schematron/openpeppol/2025.11/xslt"),
        **_tree(peppol, "external/schematron/openpeppol/2026.5/xslt"),
        "META-INF/MANIFEST.MF": b"Manifest-Version: 1.0\n",
    })  # fmt: skip
    digests = {name: hashlib.sha256((out / file).read_bytes()).hexdigest() for name, file in ARCHIVES.items()}
    jar = (out / ARCHIVES["peppol"]).read_bytes()
    (out / f"{ARCHIVES['peppol']}.sha1").write_text(f"{hashlib.sha1(jar).hexdigest()}\n")  # noqa: S324
    return digests


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextmanager
def serving(folder: Path) -> Iterator[str]:
    """Serve ``folder`` over HTTP on a free local port; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
