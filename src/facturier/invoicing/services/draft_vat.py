"""The VAT a French e-invoice can state, checked while drafting so that what is drafted issues.

Each check names the field to change: a rate not in force in France (BR-FR-16), a category France
does not use (BR-FR-15), a category the parties' identifiers cannot support (BR-AE-02, BR-IC-02,
BR-S-02...), category O beside another one (BR-O-11..14). docs/every-draft-issues.md lists the
defects of issue 6 these came from.
"""

from decimal import Decimal

from django.utils.translation import gettext as _

from facturier.common import domain_wording
from facturier.common.errors import ValidationFailed
from facturier.domain.en16931.vat_rules import buyer_identifier_problem, seller_identifier_problem
from facturier.domain.tax.fr import FRENCH_RATES, VAT_CATEGORIES, rate_problem
from facturier.invoicing.models import Document

__all__ = ["check_category", "check_category_for_parties", "check_outside_scope_alone", "check_rate"]


def check_category(category: str, *, field: str) -> None:
    if category not in VAT_CATEGORIES:
        raise ValidationFailed(
            _("Unknown VAT category '%(category)s' (a French invoice uses %(categories)s).")
            % {"category": category, "categories": ", ".join(sorted(VAT_CATEGORIES))},
            field=field, code="invalid_vat",
        )  # fmt: skip


def check_rate(category: str, rate: Decimal, *, field: str) -> None:
    if rate_problem(category, rate):
        rates = ", ".join(f"{value.normalize():f}" for value in sorted(FRENCH_RATES))
        raise ValidationFailed(
            domain_wording.vat_rate(category, rate, rates), field=field, code="invalid_vat"
        )


def check_category_for_parties(document: Document, category: str, *, field: str) -> None:
    """Refuse a VAT category the parties' identifiers cannot support (reverse charge for a consumer,
    VAT charged by a company without a VAT number)."""
    seller_problem = seller_identifier_problem(
        category, seller_vat_id=bool(document.entity.vat_number.strip())
    )
    if seller_problem:
        raise ValidationFailed(
            domain_wording.vat_parties(category, seller_problem.rule, missing=seller_problem.missing),
            field=field, code="vat_category_needs_seller_vat_number",
        )  # fmt: skip
    customer = document.customer
    problem = buyer_identifier_problem(
        category,
        buyer_vat_id=bool(customer.vat_number.strip()),
        buyer_legal_id=bool(customer.siren.strip() or customer.registration_id.strip()),
    )
    if problem:
        raise ValidationFailed(
            domain_wording.vat_parties(category, problem.rule, missing=problem.missing),
            field=field, code="vat_category_needs_buyer_id",
        )  # fmt: skip


def check_outside_scope_alone(categories: set[str], *, field: str) -> None:
    """Category O (not subject to VAT) is the only category of its document (BR-O-11..14)."""
    if "O" in categories and len(categories) > 1:
        raise ValidationFailed(
            _(
                "Services outside the scope of French VAT (category O, e.g. services to a customer outside the "
                "EU) cannot share an invoice with other VAT categories (EN 16931 BR-O-11 to BR-O-14): invoice "
                "them separately."
            ),
            field=field, code="vat_outside_scope_mixed",
        )  # fmt: skip
