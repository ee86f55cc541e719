"""The demo customers: French businesses of every size and trade, plus one of each special case.

Special cases: a customer in La Réunion (DOM rates), one in Corsica, two public bodies (SIRET and
Chorus Pro service code), three EU businesses (intra-EU reverse charge), two export customers (one
invoiced in US dollars) and two consumers. Identifiers are generated with valid check digits.
"""

import random
from dataclasses import dataclass, field
from typing import Any

from facturier.accounts.actor import Actor
from facturier.accounts.models import LegalEntity
from facturier.demo import identifiers
from facturier.parties.models import Customer
from facturier.parties.services import contact_create, customer_create


@dataclass(frozen=True)
class CustomerSpec:
    code: str
    name: str
    street: str
    postcode: str
    city: str
    terms: str = "net30"
    weight: int = 2  # how often this customer buys, relative to the others
    kind: str = "business"  # business | consumer | public | eu | export
    country: str = "FR"
    currency: str = "EUR"
    language: str = "fr"
    tags: frozenset[str] = field(default_factory=frozenset)  # dom, goods, training, delivery


def _b2b(code: str, name: str, street: str, postcode: str, city: str, terms: str = "net30",
         weight: int = 2, *tags: str) -> CustomerSpec:  # fmt: skip
    return CustomerSpec(code, name, street, postcode, city, terms, weight, tags=frozenset(tags))


CUSTOMERS: tuple[CustomerSpec, ...] = (
    _b2b("C0001", "Boulangeries Martin & Fils SARL", "3 place des Célestins", "69002", "Lyon", "net30", 3, "training"),
    _b2b("C0002", "Transports Rhône-Alpes Logistique SAS", "18 avenue Jean Jaurès", "69200", "Vénissieux", "45eom", 4, "goods", "delivery"),
    _b2b("C0003", "Cabinet Moreau Avocats SELARL", "42 rue du Faubourg Saint-Honoré", "75008", "Paris", "net30", 2),
    _b2b("C0004", "Clinique vétérinaire des Pins SELAS", "7 allée des Pins", "33000", "Bordeaux", "net30", 1, "goods"),
    _b2b("C0005", "Imprimerie Delacroix SA", "125 rue Nationale", "59000", "Lille", "net60", 3, "goods"),
    _b2b("C0006", "Atelier Bois & Design SARL", "9 quai de la Fosse", "44000", "Nantes", "net30", 1),
    _b2b("C0007", "Groupe Hôtelier Azur SAS", "56 promenade des Anglais", "06000", "Nice", "45eom", 4, "goods", "training"),
    _b2b("C0008", "Brasserie du Vieux Port SARL", "2 quai du Port", "13002", "Marseille", "net15", 1),
    _b2b("C0009", "Pharmacie Centrale de Grenoble SELARL", "11 place Grenette", "38000", "Grenoble", "net30", 1, "goods"),
    _b2b("C0010", "Garage Lemoine Automobiles SAS", "88 route de Beaune", "21000", "Dijon", "net45", 2, "goods"),
    _b2b("C0011", "Agence Horizon Immobilier SAS", "4 rue de la Loge", "34000", "Montpellier", "net30", 2),
    _b2b("C0012", "Laboratoires Verdier SA", "30 rue du Dôme", "67000", "Strasbourg", "net60", 5, "goods", "training", "delivery"),
    _b2b("C0013", "Menuiserie Perrin SARL", "15 avenue de Genève", "74000", "Annecy", "net30", 1, "goods"),
    _b2b("C0014", "Roux & Associés Expertise Comptable", "21 allées Jean Jaurès", "31000", "Toulouse", "net30", 3, "training"),
    _b2b("C0015", "Maison Chevalier Vins SAS", "6 rue d'Alsace", "21200", "Beaune", "eom45", 2, "goods"),
    _b2b("C0016", "Studio Pixel Créatif SARL", "13 rue de Penhoët", "35000", "Rennes", "net30", 2),
    _b2b("C0017", "Électricité Générale Fontaine SARL", "40 boulevard Gergovia", "63000", "Clermont-Ferrand", "net45", 2, "goods"),
    _b2b("C0018", "Bâti-Rénov Sud-Ouest SAS", "77 route de Narbonne", "31200", "Toulouse", "net60", 2, "goods"),
    _b2b("C0019", "Coopérative agricole du Val de Loire", "1 rue des Halles", "37000", "Tours", "45eom", 2, "goods", "delivery"),
    _b2b("C0020", "Librairie Les Mots Passants SARL", "8 rue Mercière", "69002", "Lyon", "net30", 1, "goods"),
    _b2b("C0021", "Fromagerie Bernard SAS", "5 rue Royale", "74000", "Annecy", "net30", 1),
    _b2b("C0022", "Alpha Compétences SAS", "19 cours Fauriel", "42000", "Saint-Étienne", "net30", 2, "training"),
    _b2b("C0023", "Éditions du Lac SARL", "3 place Saint-Léger", "73000", "Chambéry", "net45", 1, "goods"),
    _b2b("C0024", "Robin Ingénierie SAS", "66 cours Émile Zola", "69100", "Villeurbanne", "net30", 4),
    _b2b("C0025", "Textiles Gauthier SA", "210 boulevard de Fourmies", "59100", "Roubaix", "net60", 3, "goods", "delivery"),
    _b2b("C0026", "Domaine des Trois Chênes EARL", "Lieu-dit Les Chênes", "71000", "Mâcon", "net30", 1, "goods"),
    _b2b("C0027", "Optique Mercier SARL", "27 cours Mirabeau", "13100", "Aix-en-Provence", "net30", 1, "goods"),
    _b2b("C0028", "Nettoyage Pro Services SAS", "102 avenue Berthelot", "69007", "Lyon", "30eom", 3),
    _b2b("C0029", "Eaux minérales de Vals SA", "Route de Vals", "07600", "Vals-les-Bains", "net45", 2, "goods"),
    _b2b("C0030", "Cyclable Mobilités SAS", "54 rue Oberkampf", "75011", "Paris", "net30", 3, "training"),
    _b2b("C0031", "Fleurs & Jardins Dubois SARL", "12 rue Écuyère", "14000", "Caen", "net30", 1, "goods"),
    _b2b("C0032", "Corsica Nautic SARL", "Port Tino Rossi", "20000", "Ajaccio", "net30", 1, "goods"),
    _b2b("C0033", "Réunion Numérique SARL", "14 rue de Paris", "97400", "Saint-Denis", "net45", 2, "dom"),
    CustomerSpec("C0034", "Mairie de Valcourt-sur-Rhône", "Place de la République", "69530", "Valcourt-sur-Rhône",
                 "net30", 3, kind="public", tags=frozenset({"training"})),
    CustomerSpec("C0035", "Centre hospitalier de Bellerive", "1 avenue des Tilleuls", "01000",
                 "Bourg-en-Bresse", "net30", 2, kind="public", tags=frozenset({"goods"})),
    CustomerSpec("C0036", "Hansen Maschinenbau GmbH", "Industriestraße 12", "70565", "Stuttgart", "net30", 3,
                 kind="eu", country="DE", language="en", tags=frozenset({"goods"})),
    CustomerSpec("C0037", "Brouwerij De Kroon BV", "Korenmarkt 5", "9000", "Gent", "net30", 2, kind="eu",
                 country="BE", language="fr"),
    CustomerSpec("C0038", "Studio Rossi Architetti Srl", "Via Tortona 27", "20144", "Milano", "net60", 1,
                 kind="eu", country="IT", language="en"),
    CustomerSpec("C0039", "Northwind Outfitters Inc.", "200 Atlantic Avenue", "02110", "Boston", "net30", 2,
                 kind="export", country="US", currency="USD", language="en", tags=frozenset({"goods"})),
    CustomerSpec("C0040", "Uhrenmanufaktur Berger AG", "Rue du Rhône 48", "1204", "Genève", "net30", 1,
                 kind="export", country="CH", tags=frozenset({"goods"})),
    CustomerSpec("C0041", "Julien Moreau", "17 rue Victor Hugo", "69003", "Lyon", "receipt", 1, kind="consumer",
                 tags=frozenset({"goods"})),
    CustomerSpec("C0042", "Claire Petit", "5 impasse des Lilas", "38100", "Grenoble", "receipt", 1,
                 kind="consumer", tags=frozenset({"goods"})),
)  # fmt: skip

FIRST_NAMES = ("Anne", "Bruno", "Chloé", "David", "Émilie", "François", "Hélène", "Karim", "Laura", "Mathieu",
               "Nathalie", "Olivier", "Pauline", "Romain", "Sarah", "Yann")  # fmt: skip
LAST_NAMES = ("Bertrand", "Blanc", "Bonnet", "Clément", "Dumas", "Faure", "Girard", "Lambert", "Leroy",
              "Marchand", "Morel", "Nicolas", "Picard", "Renaud", "Simon", "Vincent")  # fmt: skip
CONTACT_ROLES = ("Direction administrative et financière", "Comptabilité fournisseurs", "Achats",
                 "Direction générale", "Services techniques")  # fmt: skip


def _slug(name: str) -> str:
    keep = "".join(ch for ch in name.lower() if ch.isalnum() or ch == " ")
    return "-".join(keep.split()[:2]).encode("ascii", "ignore").decode() or "client"


def customer_fields(spec: CustomerSpec, rng: random.Random) -> dict[str, Any]:
    """What the customer service needs for `spec`, with identifiers drawn from `rng`."""
    fields: dict[str, Any] = {
        "address_line1": spec.street, "postcode": spec.postcode, "city": spec.city, "country": spec.country,
        "currency": spec.currency, "language": spec.language, "payment_terms": spec.terms,
        "email": f"factures@{_slug(spec.name)}.example",
    }  # fmt: skip
    if spec.kind in ("business", "public"):
        siren = identifiers.siren(rng, "21" if spec.kind == "public" else "")
        siret = identifiers.siret(siren, rng.randint(1, 40))
        fields.update(siren=siren, siret=siret)
        if spec.kind == "public":
            fields.update(kind="public", electronic_address_scheme="0225", electronic_address=siret,
                          service_code=f"SERV-{rng.randint(100, 999)}-ACHATS")  # fmt: skip
        else:
            fields.update(vat_number=identifiers.fr_vat(siren), electronic_address_scheme="0225",
                          electronic_address=siren)  # fmt: skip
    elif spec.kind == "eu":
        fields["vat_regime"] = "intra_eu_reverse_charge"
        if spec.country == "DE":
            vat = identifiers.de_vat(rng)
            fields.update(electronic_address_scheme="9930", electronic_address=vat)
        elif spec.country == "BE":
            number = identifiers.be_enterprise_number(rng)
            vat = "BE" + number
            fields.update(electronic_address_scheme="0208", electronic_address=number,
                          registration_id=number, registration_scheme="0208")  # fmt: skip
        else:
            vat = identifiers.it_vat(rng)
            fields.update(electronic_address_scheme="0211", electronic_address=vat)
        fields["vat_number"] = vat
    elif spec.kind == "export":
        fields["vat_regime"] = "export"
        if spec.country == "CH":
            fields.update(registration_id=identifiers.ch_uid_number(rng), registration_scheme="0183")
    else:
        fields.update(kind="consumer", email=f"{_slug(spec.name).replace('-', '.')}@courriel.example")
    if "delivery" in spec.tags:
        fields.update(delivery_line1=f"Entrepôt — ZI Nord, lot {rng.randint(2, 40)}", delivery_postcode=spec.postcode,
                      delivery_city=spec.city, delivery_country=spec.country)  # fmt: skip
    return fields


def create_customers(
    entity: LegalEntity, specs: tuple[CustomerSpec, ...], seed: int, by: Actor
) -> dict[str, Customer]:
    """Create the customers of `specs` with one or two contacts each.

    Each customer draws from its own generator (seeded by `seed` and its code), so a company that
    buys from both demo entities has the same SIREN, VAT number and contacts in each.
    """
    created: dict[str, Customer] = {}
    for spec in specs:
        rng = random.Random(f"{seed}:{spec.code}")
        customer = customer_create(
            entity=entity, by=by, code=spec.code, name=spec.name, **customer_fields(spec, rng)
        )
        created[spec.code] = customer
        if spec.kind == "consumer":
            continue
        for position in range(rng.randint(1, 2)):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            contact_create(
                customer=customer, by=by, name=f"{first} {last}", role=CONTACT_ROLES[rng.randrange(len(CONTACT_ROLES))],
                email=f"{_slug(first)}.{_slug(last)}@{_slug(spec.name)}.example",
                phone=f"+33 {rng.randint(1, 5)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                is_billing_contact=position == 0,
            )  # fmt: skip
    return created
