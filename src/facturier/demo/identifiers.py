"""Valid-looking company identifiers for fictional demo companies, built with real check digits.

The numbers are drawn from a seeded random generator so every load produces the same ones; the
check digits come from python-stdnum's algorithms so the product's validators accept them.
"""

import random

from schwifty import IBAN
from stdnum import luhn
from stdnum.ch import uid as ch_uid
from stdnum.iso7064 import mod_11_10


def siren(rng: random.Random, prefix: str = "") -> str:
    """A 9-digit SIREN (Luhn). Public bodies start with 1 or 2 (e.g. communes: 21...)."""
    body = prefix + "".join(str(rng.randint(0, 9)) for _ in range(8 - len(prefix)))
    if not prefix:
        body = str(rng.randint(3, 9)) + body[1:]
    return body + luhn.calc_check_digit(body)


def siret(siren_: str, establishment: int = 1) -> str:
    """The SIRET of the establishment number `establishment` (NIC = 4 digits + Luhn over all 14)."""
    body = f"{siren_}{establishment:04d}"
    return body + luhn.calc_check_digit(body)


def fr_vat(siren_: str) -> str:
    """French VAT number: FR + key + SIREN, key = (SIREN·100 + 12) mod 97."""
    return f"FR{(int(siren_) * 100 + 12) % 97:02d}{siren_}"


def de_vat(rng: random.Random) -> str:
    body = str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(7))
    return "DE" + body + mod_11_10.calc_check_digit(body)


def be_enterprise_number(rng: random.Random) -> str:
    """A Belgian enterprise number (10 digits, mod 97), also the VAT number without the BE prefix."""
    first8 = "0" + str(rng.randint(2, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(6))
    return first8 + f"{97 - int(first8) % 97:02d}"


def it_vat(rng: random.Random) -> str:
    """Partita IVA: 7 digits, a province office code (001-100), a Luhn check digit."""
    body = (
        str(rng.randint(1, 9))
        + "".join(str(rng.randint(0, 9)) for _ in range(6))
        + f"{rng.randint(1, 99):03d}"
    )
    return "IT" + body + luhn.calc_check_digit(body)


def ch_uid_number(rng: random.Random) -> str:
    """A Swiss UID (CHE + 8 digits + mod 11 check); draws again when the check would be 10."""
    while True:
        body = "".join(str(rng.randint(0, 9)) for _ in range(8))
        check = ch_uid.calc_check_digit(body)
        if len(check) == 1:
            return f"CHE{body}{check}"


def fr_iban(rng: random.Random, bank_code: str, branch_code: str) -> str:
    account = "".join(str(rng.randint(0, 9)) for _ in range(11))
    return str(
        IBAN.generate("FR", bank_code=bank_code, branch_code=branch_code, account_code=account).compact
    )
