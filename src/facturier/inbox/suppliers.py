"""Finding the supplier of a received invoice, or creating it.

Matching order: SIREN (from BT-30, or from a French VAT number), then VAT number, then, only when
the seller carries no identifier at all, the exact name. A new supplier is created from the
seller's data and audited like any other write.
"""

from django.db import IntegrityError, transaction

from facturier.accounts.actor import Actor
from facturier.accounts.models import LegalEntity
from facturier.audit.services import audit_record
from facturier.domain.en16931.model import Seller
from facturier.inbox.reading import seller_ids
from facturier.parties.models import Supplier


def _match(entity: LegalEntity, seller: Seller) -> tuple[Supplier | None, dict[str, str]]:
    ids = seller_ids(seller)
    suppliers = Supplier.objects.filter(entity=entity)
    found = None
    if ids.siren:
        found = suppliers.filter(siren=ids.siren).first()
    if found is None and ids.vat_number:
        found = suppliers.filter(vat_number=ids.vat_number).first()
    if found is None and not (ids.siren or ids.vat_number or ids.registration_id):
        found = suppliers.filter(name=seller.name[:200], siren="", vat_number="").first()
    return found, {
        "siren": ids.siren,
        "siret": ids.siret,
        "vat_number": ids.vat_number,
        "registration_id": ids.registration_id,
        "registration_scheme": ids.registration_scheme,
    }


def supplier_for_seller(*, entity: LegalEntity, seller: Seller, by: Actor) -> Supplier:
    """The entity's supplier for this seller (BG-4), created when unknown. Runs in the caller's transaction."""
    found, ids = _match(entity, seller)
    if found is not None:
        return found
    address = seller.address
    electronic = seller.electronic_address
    supplier = Supplier(
        entity=entity,
        name=seller.name[:200],
        address_line1=((address.line_one or "") if address else "")[:200],
        address_line2=((address.line_two or "") if address else "")[:200],
        postcode=((address.post_code or "") if address else "")[:20],
        city=((address.city or "") if address else "")[:100],
        country=(address.country_code if address else "")[:2],
        email=((seller.contact.email or "") if seller.contact else "")[:254],
        electronic_address_scheme=((electronic.scheme_id or "") if electronic else "")[:10],
        electronic_address=(electronic.value if electronic else "")[:100],
        **ids,
    )
    try:
        with transaction.atomic():
            supplier.save(force_insert=True)
    except IntegrityError:
        # Created meanwhile by a concurrent import of another invoice of the same supplier.
        existing: Supplier = Supplier.objects.filter(entity=entity).get(siren=ids["siren"])
        return existing
    audit_record(
        entity=entity, actor=by, action="supplier.created", obj=supplier,
        after={"name": supplier.name, "siren": supplier.siren, "vat_number": supplier.vat_number, "source": "inbox"},
    )  # fmt: skip
    return supplier
