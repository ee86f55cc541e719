"""The seal keys: secrets kept outside the database, each named by a key id stored with every seal.

Where they come from, first match wins:
1. `FACTURIER_SEAL_KEYS` in the environment: `kid:secret` pairs separated by commas or new lines;
2. the key file `FACTURIER_SEAL_KEY_FILE` (default `$FACTURIER_DATA_DIR/keys/seal-keys`), one
   `kid:secret` per line. Outside production it is created (mode 0600) the first time a seal is made,
   so the demo and the tests need no setup; production settings refuse to start without one.

The first key is the current one (new seals use it); the others stay to verify older seals, which is
how a key is rotated (`facturier audit keygen` prepends a new key to the file). A key id that is in no
source is an unknown key: `audit verify` reports the seals it signed.
"""

import datetime as dt
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MIN_SECRET_LENGTH = 32


@dataclass(frozen=True)
class KeyRing:
    keys: dict[str, bytes]
    current_id: str

    @property
    def current(self) -> bytes:
        return self.keys[self.current_id]

    def get(self, key_id: str) -> bytes | None:
        return self.keys.get(key_id)


def parse_keys(text: str) -> list[tuple[str, bytes]]:
    """`kid:secret` pairs, in order. A malformed or short entry is a configuration error, never skipped."""
    pairs: list[tuple[str, bytes]] = []
    for raw in text.replace(",", "\n").splitlines():
        entry = raw.strip()
        if not entry or entry.startswith("#"):
            continue
        key_id, _, secret = entry.partition(":")
        key_id, secret = key_id.strip(), secret.strip()
        if not key_id or len(key_id) > 40 or len(secret) < MIN_SECRET_LENGTH:
            raise ImproperlyConfigured(
                f"Seal keys are 'kid:secret' with a key id of 1-40 characters and a secret of at least "
                f"{MIN_SECRET_LENGTH} characters (key id {key_id[:40]!r})"
            )
        if any(key_id == known for known, _secret in pairs):
            raise ImproperlyConfigured(f"The seal key id {key_id!r} is given twice")
        pairs.append((key_id, secret.encode()))
    return pairs


def key_file() -> Path:
    configured = getattr(settings, "FACTURIER_SEAL_KEY_FILE", None)
    return Path(configured) if configured else Path(settings.DATA_DIR) / "keys" / "seal-keys"


def new_key_line() -> str:
    return f"{dt.datetime.now(tz=dt.UTC):%Y%m%d}-{secrets.token_hex(3)}:{secrets.token_urlsafe(32)}"


def write_key_file(path: Path, lines: list[str]) -> None:
    """Write the key file readable by its owner only, atomically (a new file renamed over the old)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write("".join(f"{line}\n" for line in lines))
    temporary.replace(path)


def _create_key_file(path: Path) -> None:
    """Create the first key file; when two processes start at once, the first one linked in wins."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    write_key_file(temporary, [new_key_line()])
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()


def rotate(path: Path | None = None) -> str:
    """Put a new current key first in the key file (created if missing); return its key id."""
    path = path or key_file()
    existing = path.read_text().splitlines() if path.exists() else []
    line = new_key_line()
    write_key_file(path, [line, *existing])
    return line.partition(":")[0]


def _configured_text(create: bool) -> str:
    environment = getattr(settings, "FACTURIER_SEAL_KEYS", "")
    if environment:
        return str(environment)
    path = key_file()
    if not path.exists():
        if not create:
            raise ImproperlyConfigured(
                f"No seal key: set FACTURIER_SEAL_KEYS=kid:secret or create the key file {path} "
                "with `facturier audit keygen` (and keep a copy of it away from the database)"
            )
        _create_key_file(path)
    return path.read_text()


def keyring() -> KeyRing:
    """The configured keys (the key file is created outside production when there is none)."""
    pairs = parse_keys(_configured_text(getattr(settings, "FACTURIER_SEAL_KEY_AUTOCREATE", True)))
    if not pairs:
        raise ImproperlyConfigured(f"The seal key source is empty: {key_file()}")
    return KeyRing(keys=dict(pairs), current_id=pairs[0][0])
