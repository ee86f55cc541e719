import re
from decimal import Decimal
from pathlib import Path

import pytest

from facturier.domain.calculation import ZERO_RATE_CATEGORIES, LineInput, compute_totals
from facturier.domain.tax.fr import (
    NORMAL_RATE,
    STANDARD_RATES,
    TERRITORIES,
    VAT_CATEGORIES,
    OutsideFrenchVatTerritory,
    allowed_rates,
    rate_problem,
    territory_for_postcode,
    treatment_for_regime,
    treatment_for_territory,
)

D = Decimal
LEGAL_TEXTS = (
    Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets" / "fr_reference" / "legal_texts"
)


def legal_text(article: str) -> str:
    if not LEGAL_TEXTS.is_dir():
        pytest.skip("../shared not present: conformance data is only in the team workspace")
    return (LEGAL_TEXTS / f"CGI_article-{article}.md").read_text(encoding="utf-8")


def french_percent(rate: Decimal) -> str:
    """20.00 -> '20', 5.50 -> '5,5', 2.10 -> '2,1' (how the CGI writes rates, with or without 0)."""
    return format(rate.normalize(), "f").replace(".", ",")


def test_mainland_rates_are_twenty_ten_five_point_five_and_two_point_one():
    assert allowed_rates("FR-METRO") == {D("20"), D("10"), D("5.5"), D("2.1")}
    assert STANDARD_RATES == allowed_rates("FR-METRO")
    assert NORMAL_RATE["FR-METRO"] == D("20")


@pytest.mark.parametrize("territory", ["FR-GP", "FR-MQ", "FR-RE"])
def test_guadeloupe_martinique_and_reunion_have_the_dom_rates(territory):
    assert allowed_rates(territory) == {D("8.5"), D("2.1"), D("1.75"), D("1.05")}
    assert NORMAL_RATE[territory] == D("8.5")


@pytest.mark.parametrize("territory", ["FR-GF", "FR-YT"])
def test_vat_does_not_apply_in_guyane_and_mayotte(territory):
    # given CGI art. 294-1 / then no rate is allowed and the treatment is category O
    assert allowed_rates(territory) == frozenset()
    assert NORMAL_RATE[territory] is None
    treatment = treatment_for_territory(territory)
    assert treatment is not None
    assert (treatment.category, treatment.rate, treatment.exemption_code) == ("O", None, "VATEX-EU-O")
    assert "294" in treatment.mention_fr


def test_mainland_and_corsica_need_no_territory_treatment():
    assert treatment_for_territory("FR-METRO") is None
    assert treatment_for_territory("FR-CORSE") is None


def test_corsica_adds_thirteen_and_zero_point_nine_to_the_general_rates():
    assert {D("20"), D("13"), D("10"), D("2.1"), D("0.9")} <= allowed_rates("FR-CORSE")
    assert allowed_rates("FR-CORSE") - allowed_rates("FR-METRO") == {D("13"), D("0.9")}


def test_every_territory_has_its_rates_and_normal_rate():
    assert set(NORMAL_RATE) == TERRITORIES
    for territory in TERRITORIES:
        normal = NORMAL_RATE[territory]
        assert normal is None or normal in allowed_rates(territory)


def test_unknown_territory_is_refused():
    with pytest.raises(ValueError, match="unknown French VAT territory"):
        allowed_rates("FR-XX")


def test_rates_are_those_written_in_the_tax_code():
    # given the CGI articles in the team's reference texts
    # then each rate we ship is written in its article
    assert "20 %" in legal_text("278")
    assert "10 %" in legal_text("279")
    assert "5,5 %" in legal_text("278-0-bis")
    assert "2,10 %" in legal_text("281-octies")
    dom = legal_text("296")
    assert "8,50 %" in dom
    assert "2,10 %" in dom
    assert "1,05 %" in legal_text("298-septies")
    corsica = legal_text("297")
    for rate in ("0,90 %", "2,10 %", "10 %", "13 %"):
        assert rate in corsica
    assert "pas applicable dans les départements de la Guyane et de Mayotte" in legal_text("294")


def test_every_mainland_rate_appears_in_the_tax_code():
    texts = " ".join(legal_text(a) for a in ("278", "279", "278-0-bis", "281-octies"))
    for rate in STANDARD_RATES:
        assert re.search(rf"\b{re.escape(french_percent(rate))}0? %", texts), rate


@pytest.mark.parametrize(
    ("postcode", "territory"),
    [
        ("75001", "FR-METRO"),
        ("97110", "FR-GP"),
        ("97200", "FR-MQ"),
        ("97300", "FR-GF"),
        ("97400", "FR-RE"),
        ("97600", "FR-YT"),
        ("20000", "FR-CORSE"),
        ("20200", "FR-CORSE"),
        ("2A004", "FR-CORSE"),
        ("2b033", "FR-CORSE"),
        ("21000", "FR-METRO"),
        ("01000", "FR-METRO"),
        ("97 110", "FR-GP"),
        ("98000", "FR-METRO"),  # Monaco's post code: French VAT territory
    ],
)
def test_territory_follows_the_post_code(postcode, territory):
    assert territory_for_postcode(postcode) == territory


@pytest.mark.parametrize(
    ("country", "territory"), [("GP", "FR-GP"), ("re", "FR-RE"), ("YT", "FR-YT"), ("MC", "FR-METRO")]
)
def test_overseas_country_codes_give_their_territory(country, territory):
    assert territory_for_postcode("12345", country=country) == territory


@pytest.mark.parametrize("postcode", ["97500", "97133", "97150", "98800", "98714"])
def test_overseas_collectivities_are_outside_the_french_vat_territory(postcode):
    with pytest.raises(OutsideFrenchVatTerritory):
        territory_for_postcode(postcode)


@pytest.mark.parametrize("postcode", ["7500", "ABCDE", "750011", ""])
def test_malformed_post_codes_are_refused(postcode):
    with pytest.raises(ValueError, match="not a French post code"):
        territory_for_postcode(postcode)


def test_a_foreign_country_is_refused():
    with pytest.raises(ValueError, match="not in the French VAT territory"):
        territory_for_postcode("10115", country="DE")


def test_domestic_sales_use_the_product_rate():
    assert treatment_for_regime("domestic", goods=True) is None
    assert treatment_for_regime("domestic", goods=False) is None


def test_intra_eu_services_are_reverse_charged():
    treatment = treatment_for_regime("intra_eu_reverse_charge", goods=False)
    assert treatment is not None
    assert (treatment.category, treatment.rate, treatment.exemption_code) == ("AE", D("0"), "VATEX-EU-AE")
    # CGI annexe II art. 242 nonies A 13°: the word "Autoliquidation" is mandatory
    assert treatment.mention_fr == "Autoliquidation - article 283-2 du CGI"
    assert "Reverse charge" in treatment.mention_en


def test_intra_eu_goods_are_an_exempt_intra_community_supply():
    treatment = treatment_for_regime("intra_eu_reverse_charge", goods=True)
    assert treatment is not None
    assert (treatment.category, treatment.rate, treatment.exemption_code) == ("K", D("0"), "VATEX-EU-IC")
    assert treatment.mention_fr == "Exonération de TVA, article 262 ter I du CGI"
    assert "262 ter I" in treatment.mention_en


def test_export_of_goods_is_category_g():
    treatment = treatment_for_regime("export", goods=True)
    assert treatment is not None
    assert (treatment.category, treatment.exemption_code) == ("G", "VATEX-EU-G")
    assert treatment.mention_fr == "Exonération de TVA, article 262 I du CGI"


def test_services_to_customers_outside_the_eu_are_outside_the_scope_of_french_vat():
    treatment = treatment_for_regime("export", goods=False)
    assert treatment is not None
    assert (treatment.category, treatment.rate, treatment.exemption_code) == ("O", None, "VATEX-EU-O")
    assert "259-1" in treatment.mention_fr


def test_exempt_defaults_to_the_small_business_franchise():
    treatment = treatment_for_regime("exempt", goods=False)
    assert treatment is not None
    assert (treatment.category, treatment.exemption_code) == ("E", "VATEX-FR-FRANCHISE")
    assert treatment.mention_fr == "TVA non applicable, art. 293 B du CGI"
    assert "293 B" in treatment.mention_en


def test_exempt_with_a_reason_and_code_given_by_the_caller_uses_them():
    treatment = treatment_for_regime(
        "exempt",
        goods=False,
        mention_fr="Exonération de TVA, article 261-4-1° du CGI",
        mention_en="VAT exempt, article 261-4-1° CGI",
        exemption_code="VATEX-FR-CGI261-4",
    )
    assert treatment is not None
    assert treatment.category == "E"
    assert treatment.exemption_code == "VATEX-FR-CGI261-4"
    assert treatment.mention_fr.startswith("Exonération de TVA, article 261-4")


def test_exempt_with_only_a_reason_does_not_claim_the_franchise_code():
    treatment = treatment_for_regime(
        "exempt", goods=True, mention_fr="Exonération de TVA, article 261 du CGI"
    )
    assert treatment is not None
    assert treatment.exemption_code is None
    assert treatment.mention_en == "VAT not applicable, article 293 B of the French tax code (CGI)"


def test_outside_scope_is_category_o_without_rate():
    treatment = treatment_for_regime("outside_scope", goods=False)
    assert treatment is not None
    assert (treatment.category, treatment.rate, treatment.exemption_code) == ("O", None, "VATEX-EU-O")


def test_unknown_regime_is_refused():
    with pytest.raises(ValueError, match="unknown VAT regime"):
        treatment_for_regime("duty_free", goods=True)


@pytest.mark.parametrize(
    ("regime", "goods"),
    [
        ("intra_eu_reverse_charge", True),
        ("intra_eu_reverse_charge", False),
        ("export", True),
        ("export", False),
        ("exempt", True),
        ("outside_scope", False),
    ],
)
def test_every_treatment_is_accepted_by_the_totals_calculation(regime, goods):
    # given a special regime / when a line is taxed with it / then no VAT is charged
    treatment = treatment_for_regime(regime, goods=goods)
    assert treatment is not None
    assert treatment.category in ZERO_RATE_CATEGORIES
    line = LineInput(D("2"), D("50"), treatment.category, treatment.rate or D("0"))
    totals = compute_totals([line])
    assert (totals.tax_exclusive, totals.tax_total) == (D("100.00"), D("0.00"))


@pytest.mark.parametrize("rate", ["20", "10", "5.5", "2.1", "13", "0.9", "8.5", "1.75", "1.05"])
def test_every_french_rate_goes_with_the_standard_category(rate):
    assert rate_problem("S", D(rate)) is None


@pytest.mark.parametrize(
    ("category", "rate", "says"),
    [
        ("S", "3", "not a French VAT rate"),
        ("S", "19.6", "not a French VAT rate"),  # repealed in 2014 (BR-FR-16 still lists it)
        ("S", "0", "above 0 %"),  # BR-S-05
        ("E", "20", "0 % rate"),  # BR-E-05
        ("O", "5.5", "0 % rate"),
    ],
)
def test_a_rate_the_category_cannot_have_is_explained(category, rate, says):
    assert says in (rate_problem(category, D(rate)) or "")


def test_french_invoices_use_neither_igic_nor_ipsi():
    # BR-FR-15: S, E, AE, K, G, O, Z only
    assert VAT_CATEGORIES == {"S", "E", "AE", "K", "G", "O", "Z"}
