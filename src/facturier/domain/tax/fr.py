"""French VAT: rates by territory (mainland, Corsica, overseas departments) and special regimes.

Sources (CGI = Code général des impôts): art. 278 (normal rate 20 %), 279 (10 %), 278-0 bis
(5.5 %), 281 quater / 281 octies / 298 septies (2.1 %); art. 296 and 298 septies for
Guadeloupe, Martinique and Réunion (8.5 %, 2.1 %, 1.75 %, 1.05 %); art. 297 for Corsica
(13 %, 10 %, 2.1 %, 0.9 % besides the general rates); art. 294-1: VAT is not applicable in
Guyane and Mayotte. Invoice mentions follow CGI annexe II art. 242 nonies A (12° reference to the
exemption, 13° the word "Autoliquidation"). Exemption codes are from the CEF VATEX code list
(BT-121) as used by EN 16931 and the French reform.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

__all__ = [
    "METROPOLITAN_RATES",
    "NORMAL_RATE",
    "RATES_BY_TERRITORY",
    "REGIMES",
    "STANDARD_RATES",
    "TERRITORIES",
    "VAT_CATEGORIES",
    "OutsideFrenchVatTerritory",
    "VatTreatment",
    "allowed_rates",
    "rate_problem",
    "territory_for_postcode",
    "treatment_for_regime",
    "treatment_for_territory",
]

METRO, GUADELOUPE, MARTINIQUE, REUNION, GUYANE, MAYOTTE, CORSICA = (
    "FR-METRO",
    "FR-GP",
    "FR-MQ",
    "FR-RE",
    "FR-GF",
    "FR-YT",
    "FR-CORSE",
)
TERRITORIES: frozenset[str] = frozenset({METRO, GUADELOUPE, MARTINIQUE, REUNION, GUYANE, MAYOTTE, CORSICA})

# The EN 16931 VAT categories a French seller uses (BR-FR-15): not L (Canary Islands IGIC) nor M
# (Ceuta and Melilla IPSI), which are Spanish taxes.
VAT_CATEGORIES: frozenset[str] = frozenset({"S", "Z", "E", "AE", "K", "G", "O"})


def _rates(*texts: str) -> frozenset[Decimal]:
    return frozenset(Decimal(text) for text in texts)


# The rates of mainland France, i.e. the "standard" French regime (not to be confused with the
# normal rate, 20 %, which is NORMAL_RATE[METRO]).
METROPOLITAN_RATES: frozenset[Decimal] = _rates("20.00", "10.00", "5.50", "2.10")
STANDARD_RATES = METROPOLITAN_RATES
_DOM_RATES = _rates("8.50", "2.10", "1.75", "1.05")

# Corsica (CGI art. 297) adds 13 % and 0.9 % and moves some goods to 2.1 % and 10 %; operations
# art. 297 does not list stay at the general rates, 5.5 % included (e.g. art. 278-0 bis works).
RATES_BY_TERRITORY: dict[str, frozenset[Decimal]] = {
    METRO: METROPOLITAN_RATES,
    CORSICA: METROPOLITAN_RATES | _rates("13.00", "0.90"),
    GUADELOUPE: _DOM_RATES,
    MARTINIQUE: _DOM_RATES,
    REUNION: _DOM_RATES,
    GUYANE: frozenset(),  # art. 294-1: VAT provisionally not applicable
    MAYOTTE: frozenset(),
}

NORMAL_RATE: dict[str, Decimal | None] = {
    METRO: Decimal("20.00"),
    CORSICA: Decimal("20.00"),
    GUADELOUPE: Decimal("8.50"),
    MARTINIQUE: Decimal("8.50"),
    REUNION: Decimal("8.50"),
    GUYANE: None,
    MAYOTTE: None,
}


class OutsideFrenchVatTerritory(ValueError):
    """The address is French but outside the French VAT territory (e.g. Saint-Martin, Polynésie)."""


def allowed_rates(territory: str) -> frozenset[Decimal]:
    """VAT rates (percent) in force in ``territory``; empty where VAT does not apply (Guyane, Mayotte)."""
    try:
        return RATES_BY_TERRITORY[territory]
    except KeyError:
        raise ValueError(
            f"unknown French VAT territory {territory!r} (expected one of {', '.join(sorted(TERRITORIES))})."
        ) from None


# Every rate in force somewhere in the French VAT territory (what BR-FR-16 accepts, less the rates
# repealed before 2014: 19.6 %, 7 %...).
FRENCH_RATES: frozenset[Decimal] = frozenset().union(*RATES_BY_TERRITORY.values())


def rate_problem(category: str, rate: Decimal) -> str | None:
    """Why ``rate`` (percent) cannot go with ``category`` on a French invoice, or None.

    S takes a French rate above 0 (BR-S-05, BR-FR-16); every other category is at 0 % (BR-Z-05,
    BR-E-05, BR-AE-05, BR-IC-05, BR-G-05; O states no rate, BR-O-05).
    """
    if category != "S":
        return None if rate == 0 else f"VAT category {category} has a 0 % rate, not {rate} %."
    if rate in FRENCH_RATES:
        return None
    if rate == 0:
        return "VAT category S (standard) needs a rate above 0 %: a 0 % line is category Z, E or another exemption."
    rates = ", ".join(f"{value.normalize():f}" for value in sorted(FRENCH_RATES))
    return f"{rate} % is not a French VAT rate ({rates})."


# Overseas departments have their own ISO 3166 country codes besides FR.
_TERRITORY_BY_COUNTRY = {"GP": GUADELOUPE, "MQ": MARTINIQUE, "RE": REUNION, "GF": GUYANE, "YT": MAYOTTE}
_TERRITORY_BY_PREFIX = {"971": GUADELOUPE, "972": MARTINIQUE, "973": GUYANE, "974": REUNION, "976": MAYOTTE}
# Saint-Pierre-et-Miquelon, Saint-Barthélemy, Saint-Martin, TAAF, Wallis-et-Futuna, Polynésie,
# Nouvelle-Calédonie, Clipperton: French post codes, but outside the French (and EU) VAT territory.
_OUTSIDE_PREFIXES = ("975", "977", "978", "984", "986", "987", "988", "989")
# Saint-Barthélemy and Saint-Martin kept Guadeloupe's 971 post codes.
_OUTSIDE_POSTCODES = frozenset({"97133", "97150"})


def territory_for_postcode(postcode: str, country: str = "FR") -> str:
    """The VAT territory of a French address from its post code (971xx -> "FR-GP", 20xxx -> "FR-CORSE").

    Monaco ("MC") belongs to the French VAT territory (mainland rates). Raises
    OutsideFrenchVatTerritory for overseas collectivities, ValueError for a malformed post code or
    a country outside France.
    """
    country_code = country.strip().upper()
    if country_code in _TERRITORY_BY_COUNTRY:
        return _TERRITORY_BY_COUNTRY[country_code]
    if country_code == "MC":
        return METRO
    if country_code != "FR":
        raise ValueError(f"country {country!r} is not in the French VAT territory.")
    code = postcode.replace(" ", "").upper()
    if code[:2] in {"2A", "2B"}:  # Corsican department codes sometimes typed instead of 20
        return CORSICA
    if len(code) != 5 or not code.isdigit():
        raise ValueError(f"{postcode!r} is not a French post code (5 digits).")
    if code.startswith(_OUTSIDE_PREFIXES) or code in _OUTSIDE_POSTCODES:
        raise OutsideFrenchVatTerritory(f"post code {postcode} is outside the French VAT territory.")
    if code[:3] in _TERRITORY_BY_PREFIX:
        return _TERRITORY_BY_PREFIX[code[:3]]
    if code.startswith("20"):
        return CORSICA
    return METRO


@dataclass(frozen=True)
class VatTreatment:
    """How a sale is taxed when it is not an ordinary domestic sale at the product's rate.

    ``rate`` is None when EN 16931 forbids stating a rate (category O); the totals calculation then
    uses 0. ``exemption_code`` goes to BT-121 and the mention to BT-120 and the printed invoice.
    """

    category: str
    rate: Decimal | None
    exemption_code: str | None
    mention_fr: str
    mention_en: str


_ZERO = Decimal("0.00")
REVERSE_CHARGE_SERVICES = VatTreatment(
    category="AE",
    rate=_ZERO,
    exemption_code="VATEX-EU-AE",
    mention_fr="Autoliquidation - article 283-2 du CGI",
    mention_en="Reverse charge - article 283-2 of the French tax code (CGI), article 196 of Directive 2006/112/EC",
)
INTRA_COMMUNITY_SUPPLY = VatTreatment(
    category="K",
    rate=_ZERO,
    exemption_code="VATEX-EU-IC",
    mention_fr="Exonération de TVA, article 262 ter I du CGI",
    mention_en="VAT exempt intra-Community supply of goods, article 262 ter I of the French tax code (CGI)",
)
EXPORT_OF_GOODS = VatTreatment(
    category="G",
    rate=_ZERO,
    exemption_code="VATEX-EU-G",
    mention_fr="Exonération de TVA, article 262 I du CGI",
    mention_en="VAT exempt export, article 262 I of the French tax code (CGI)",
)
# Services to a business customer established outside the EU are taxed where the customer is
# (CGI art. 259-1): outside the scope of French VAT rather than an exempt export of goods.
EXPORT_OF_SERVICES = VatTreatment(
    category="O",
    rate=None,
    exemption_code="VATEX-EU-O",
    mention_fr="TVA non applicable, article 259-1 du CGI",
    mention_en="VAT not applicable, article 259-1 of the French tax code (CGI)",
)
FRANCHISE_EN_BASE = VatTreatment(
    category="E",
    rate=_ZERO,
    exemption_code="VATEX-FR-FRANCHISE",
    mention_fr="TVA non applicable, art. 293 B du CGI",
    mention_en="VAT not applicable, article 293 B of the French tax code (CGI)",
)
OUTSIDE_SCOPE = VatTreatment(
    category="O",
    rate=None,
    exemption_code="VATEX-EU-O",
    mention_fr="Opération non soumise à la TVA (hors champ d'application)",
    mention_en="Not subject to VAT (outside the scope of VAT)",
)
NOT_APPLICABLE_GF_YT = VatTreatment(
    category="O",
    rate=None,
    exemption_code="VATEX-EU-O",
    mention_fr="TVA non applicable, article 294-1 du CGI",
    mention_en="VAT not applicable, article 294-1 of the French tax code (CGI)",
)

REGIMES: frozenset[str] = frozenset(
    {"domestic", "intra_eu_reverse_charge", "export", "exempt", "outside_scope"}
)


def treatment_for_regime(
    regime: str,
    *,
    goods: bool,
    mention_fr: str | None = None,
    mention_en: str | None = None,
    exemption_code: str | None = None,
) -> VatTreatment | None:
    """The EN 16931 VAT category, exemption code and legal mention of a VAT regime.

    Returns None for "domestic": the product's own rate applies (category S, or Z at 0 %).
    ``goods`` tells goods (K intra-Community supply, G export) from services (AE reverse charge,
    O outside scope). For "exempt" the caller may give the exemption's own mentions and VATEX code
    (e.g. VATEX-FR-CGI261-4 for medical care); a custom mention without a code gets no code (the
    text alone satisfies BR-E-10). The default is the small-business franchise (art. 293 B). ``mention_*`` overrides also apply to "outside_scope".
    """
    if regime not in REGIMES:
        raise ValueError(f"unknown VAT regime {regime!r} (expected one of {', '.join(sorted(REGIMES))}).")
    if regime == "domestic":
        return None
    if regime == "intra_eu_reverse_charge":
        return INTRA_COMMUNITY_SUPPLY if goods else REVERSE_CHARGE_SERVICES
    if regime == "export":
        return EXPORT_OF_GOODS if goods else EXPORT_OF_SERVICES
    base = FRANCHISE_EN_BASE if regime == "exempt" else OUTSIDE_SCOPE
    custom_reason = mention_fr is not None or mention_en is not None
    if exemption_code is None and not (regime == "exempt" and custom_reason):
        # an exemption stated by the caller is not the franchise: keep its text, no guessed code
        exemption_code = base.exemption_code
    return VatTreatment(
        category=base.category,
        rate=base.rate,
        exemption_code=exemption_code,
        mention_fr=mention_fr or base.mention_fr,
        mention_en=mention_en or base.mention_en,
    )


def treatment_for_territory(territory: str) -> VatTreatment | None:
    """Treatment imposed by where the seller operates: VAT does not apply in Guyane and Mayotte."""
    allowed_rates(territory)  # validates the territory name
    return NOT_APPLICABLE_GF_YT if territory in {GUYANE, MAYOTTE} else None
