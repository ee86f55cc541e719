"""The demo catalogue: services and goods at every French VAT rate (20, 10, 5.5, 2.1 %) and exempt
training, each with its UN/ECE Rec 20 unit, and a smaller catalogue for the training entity."""

from dataclasses import dataclass
from decimal import Decimal

from facturier.accounts.actor import Actor
from facturier.accounts.models import LegalEntity
from facturier.catalog.models import Product
from facturier.catalog.services import product_create


@dataclass(frozen=True)
class ProductSpec:
    sku: str
    name: str
    unit: str
    price: str
    rate: str = "20.00"
    goods: bool = False

    @property
    def category(self) -> str:
        return "E" if Decimal(self.rate) == 0 else "S"


def _g(sku: str, name: str, unit: str, price: str, rate: str = "20.00") -> ProductSpec:
    return ProductSpec(sku, name, unit, price, rate, goods=True)


PRODUCTS: tuple[ProductSpec, ...] = (
    # services, 20 %
    ProductSpec("SRV-CONSEIL", "Journée de conseil", "DAY", "850.00"),
    ProductSpec("SRV-AUDIT-SI", "Audit du système d'information", "DAY", "1100.00"),
    ProductSpec("SRV-CDP", "Pilotage de projet", "DAY", "780.00"),
    ProductSpec("SRV-DEV", "Développement logiciel", "DAY", "650.00"),
    ProductSpec("SRV-DEV-SENIOR", "Développement logiciel — profil senior", "DAY", "760.00"),
    ProductSpec("SRV-UX", "Conception UX / UI", "DAY", "700.00"),
    ProductSpec("SRV-SUPPORT-H", "Assistance utilisateurs (heure)", "HUR", "85.00"),
    ProductSpec("SRV-INTERV", "Intervention technique sur site (heure)", "HUR", "95.00"),
    ProductSpec("SRV-MAINT", "Contrat de maintenance mensuel", "MON", "450.00"),
    ProductSpec("SRV-HEBERG", "Hébergement applicatif managé", "MON", "120.00"),
    ProductSpec("SRV-INFOGERANCE", "Infogérance du parc informatique", "MON", "1200.00"),
    ProductSpec("SRV-SAUVEGARDE", "Sauvegarde externalisée (par mois)", "MON", "60.00"),
    ProductSpec("SRV-LICENCE-U", "Licence logicielle par utilisateur (mois)", "MON", "24.50"),
    ProductSpec("SRV-LICENCE-A", "Licence logicielle annuelle — site", "ANN", "2400.00"),
    ProductSpec("SRV-DOMAINE", "Nom de domaine (1 an)", "ANN", "15.90"),
    ProductSpec("SRV-SSL", "Certificat TLS (1 an)", "ANN", "89.00"),
    ProductSpec("SRV-MES", "Frais de mise en service", "C62", "300.00"),
    ProductSpec("SRV-DEPLACEMENT", "Forfait déplacement", "C62", "120.00"),
    ProductSpec("SRV-SALLE", "Location de salle de réunion (jour)", "DAY", "380.00"),
    ProductSpec("SRV-DATA", "Reprise de données", "HUR", "90.00"),
    ProductSpec("SRV-SECU", "Test d'intrusion", "DAY", "1250.00"),
    ProductSpec("SRV-CLOUD", "Stockage cloud (To par mois)", "MON", "38.00"),
    # goods, 20 %
    _g("MAT-PORTABLE", 'Ordinateur portable 14" pro', "H87", "1290.00"),
    _g("MAT-ECRAN27", 'Écran 27" QHD', "H87", "329.00"),
    _g("MAT-DOCK", "Station d'accueil USB-C", "H87", "189.00"),
    _g("MAT-CLAVIER", "Clavier sans fil", "H87", "59.90"),
    _g("MAT-SOURIS", "Souris ergonomique", "H87", "34.90"),
    _g("MAT-CASQUE", "Casque audio avec micro", "H87", "89.00"),
    _g("MAT-IMPRIMANTE", "Imprimante laser couleur", "H87", "459.00"),
    _g("MAT-TONER", "Cartouche de toner", "H87", "79.00"),
    _g("MAT-CABLE", "Câble réseau catégorie 6", "MTR", "1.20"),
    _g("MAT-PAPIER", "Ramette de papier A4 (carton de 5)", "XPK", "24.50"),
    _g("MAT-SWITCH", "Commutateur réseau 24 ports", "H87", "249.00"),
    _g("MAT-WIFI", "Borne Wi-Fi 6", "H87", "179.00"),
    _g("MAT-ONDULEUR", "Onduleur 1500 VA", "H87", "349.00"),
    _g("MAT-SSD", "Disque SSD 1 To", "H87", "119.00"),
    _g("MAT-NAS", "Serveur de stockage NAS", "H87", "890.00"),
    _g("MAT-VISIO", "Kit de visioconférence", "SET", "1490.00"),
    _g("MAT-BUREAU", "Bureau réglable en hauteur", "H87", "420.00"),
    _g("MAT-CHAISE", "Siège ergonomique", "H87", "310.00"),
    _g("MAT-ENERGIE", "Électricité refacturée (salle serveurs)", "KWH", "0.2516"),
    _g("MAT-GOULOTTE", "Goulotte électrique", "MTR", "6.40"),
    _g("MAT-ETIQUETTES", "Étiquettes thermiques (kg)", "KGM", "14.00"),
    # 10 %
    ProductSpec("RES-PLATEAU", "Plateau-repas (séminaire)", "C62", "18.50", "10.00"),
    ProductSpec("RES-BUFFET", "Buffet traiteur par personne", "C62", "32.00", "10.00"),
    ProductSpec("RES-PAUSE", "Pause café par personne", "C62", "6.50", "10.00"),
    ProductSpec("TRV-AMENAG", "Travaux d'aménagement de locaux d'habitation", "MTK", "45.00", "10.00"),
    ProductSpec("TRS-NAVETTE", "Transport de personnes (navette)", "C62", "150.00", "10.00"),
    # 5.5 %
    _g("LIV-TECH", "Livre technique", "H87", "39.00", "5.50"),
    _g("LIV-MANUEL", "Manuel de formation imprimé", "H87", "25.00", "5.50"),
    ProductSpec("TRV-ISOLATION", "Travaux d'isolation thermique", "MTK", "38.00", "5.50"),
    _g("ALI-EAU", "Eau minérale (litre)", "LTR", "0.60", "5.50"),
    ProductSpec("EVT-BILLET", "Billet d'entrée — salon professionnel", "C62", "45.00", "5.50"),
    # 2.1 %
    ProductSpec("PRS-ABO", "Abonnement presse professionnelle (1 an)", "ANN", "180.00", "2.10"),
    ProductSpec("PRS-NUM", "Abonnement presse en ligne (mois)", "MON", "12.00", "2.10"),
    ProductSpec("EVT-PREMIERE", "Billet — première représentation d'un spectacle", "C62", "35.00", "2.10"),
    # exempt: continuing vocational training (CGI art. 261-4-4° a)
    ProductSpec("FOR-INTER", "Formation professionnelle inter-entreprises (jour)", "DAY", "690.00", "0.00"),
    ProductSpec("FOR-INTRA", "Formation professionnelle intra-entreprise (jour)", "DAY", "1450.00", "0.00"),
    ProductSpec("FOR-ELEARN", "Parcours de formation en ligne", "C62", "290.00", "0.00"),
    ProductSpec("FOR-CERTIF", "Passage de certification", "C62", "150.00", "0.00"),
)

# The training entity sells training, rooms, course books and meals.
TRAINING_PRODUCTS: tuple[ProductSpec, ...] = tuple(
    spec
    for spec in PRODUCTS
    if spec.sku.startswith("FOR-")
    or spec.sku in {"SRV-SALLE", "LIV-MANUEL", "LIV-TECH", "RES-PLATEAU", "RES-PAUSE", "SRV-CONSEIL"}
)


def create_products(entity: LegalEntity, specs: tuple[ProductSpec, ...], by: Actor) -> dict[str, Product]:
    return {
        spec.sku: product_create(
            entity=entity,
            by=by,
            sku=spec.sku,
            name=spec.name,
            unit_price=spec.price,
            unit=spec.unit,
            vat_category=spec.category,
            vat_rate=spec.rate,
            accounting_category="goods" if spec.goods else "services",
        )  # fmt: skip
        for spec in PRODUCTS
        if spec in specs
    }
