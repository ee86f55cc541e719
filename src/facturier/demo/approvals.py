"""Demo approval circuits: two levels for the demo company (team lead, then the finance director from
10,000 EUR), an absence with its delegate, and one large invoice waiting at the second level.

Created after the history is written: the history goes through the services, and its invoices were
approved under the simple one-level setting; rules written earlier would change who approves them.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from facturier.accounts.actor import as_actor
from facturier.accounts.models import LegalEntity
from facturier.accounts.roles import Role
from facturier.approvals.services import delegation_save, rule_save
from facturier.catalog.models import Product
from facturier.invoicing.services import LineData, document_create, invoice_approve, invoice_submit
from facturier.parties.models import Customer

LEAD_RULE = "Chef d'équipe"
DIRECTOR_RULE = "Directrice financière dès 10 000 €"


def create_approvals(
    entity: LegalEntity, users: dict[Role, Any], customers: dict[str, Customer], products: dict[str, Product],
    anchor: dt.date,
) -> None:  # fmt: skip
    admin, approver, sales = users[Role.ADMIN], users[Role.APPROVER], users[Role.SALES]
    by = as_actor(admin)
    rule_save(entity=entity, by=by, name=LEAD_RULE, priority=1, currency="EUR", remind_after_hours=24,
              document_types=["invoice", "credit_note", "supplier_invoice"],
              levels=[{"label": "chef d'équipe", "roles": [Role.APPROVER.value], "users": [], "required": 1}])  # fmt: skip
    rule_save(entity=entity, by=by, name=DIRECTOR_RULE, priority=2, currency="EUR", min_amount=Decimal("10000"),
              remind_after_hours=24, escalate_after_hours=72, fallback_user=None,
              levels=[{"label": "directrice financière", "roles": [], "users": [str(admin.pk)], "required": 1}])  # fmt: skip
    # the approver's next holidays: the administrator decides for them
    delegation_save(entity=entity, by=by, user=approver, delegate=admin,
                    starts_on=anchor + dt.timedelta(days=14), ends_on=anchor + dt.timedelta(days=25))  # fmt: skip
    customer = sorted(customers.values(), key=lambda c: c.code)[0]
    invoice = document_create(
        entity=entity, kind="invoice", customer=customer, by=as_actor(sales),
        lines=[LineData(product=products["SRV-CONSEIL"], quantity=Decimal("14"))],
        purchase_order_reference=f"BC-{anchor:%Y%m}-118", cost_centre="DIR-COMMERCIALE",
    )  # fmt: skip
    invoice = invoice_submit(invoice=invoice, by=as_actor(sales))
    invoice_approve(invoice=invoice, by=as_actor(approver), comment="Conforme au bon de commande.")
