"""Pricing one document's lines: the rules of its customer, currency and date loaded once, then applied
line by line by the pure rules (`facturier.domain.pricing`).

Invoicing calls `Pricer` for every line it resolves (draft services, the editor's live totals, the API,
billing runs): one rule for every screen. The customer's invoicing history (loyalty) comes from
invoicing, which sits above this app: it passes a function that reads it, called only when a loyalty
discount could apply.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cached_property

from babel.numbers import format_decimal
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from facturier.accounts.models import LegalEntity
from facturier.catalog.models import Product
from facturier.common.errors import ValidationFailed
from facturier.domain.pricing import rules
from facturier.domain.pricing.codes import CodeProblem, check_code
from facturier.parties.models import Customer
from facturier.pricing.models import Discount, DiscountKind, PriceListItem, Promotion, Segment


@dataclass(frozen=True)
class CustomerHistory:
    """What loyalty rules look at: invoiced (excl. VAT, net of credit notes) over the 12 months up to
    the day, and the date of the first issued invoice."""

    invoiced_last_12_months: Decimal = Decimal(0)
    customer_since: dt.date | None = None


def _window(field: str, day: dt.date) -> Q:
    return (Q(**{f"{field}valid_from__isnull": True}) | Q(**{f"{field}valid_from__lte": day})) & (
        Q(**{f"{field}valid_until__isnull": True}) | Q(**{f"{field}valid_until__gte": day})
    )


def _id(value: object) -> str | None:
    return None if value is None else str(value)


class Pricer:
    """The pricing rules of one customer, currency and day (a calendar day in the entity's time zone)."""

    def __init__(self, *, entity: LegalEntity, customer: Customer, currency: str, day: dt.date,
                 promotion_code: str = "", history: Callable[[], CustomerHistory] | None = None,
                 language: str | None = None):  # fmt: skip
        self.entity, self.customer, self.currency, self.day = entity, customer, currency, day
        self.promotion_code = (promotion_code or "").strip()
        self._history = history
        self.language = language
        self._list_names: dict[str, str] = {}  # price list id -> its label ("Price list X")

    def _label(self, message: str, name: str) -> str:
        """A rule's name as the line records it, in the document's language (the reader's when not given)."""
        if self.language is None:
            return _(message) % {"name": name}
        with translation.override(self.language):
            return _(message) % {"name": name}

    @cached_property
    def segment_ids(self) -> frozenset[str]:
        ids = Segment.objects.filter(entity=self.entity, customers=self.customer).values_list("pk", flat=True)
        return frozenset(str(pk) for pk in ids)

    @cached_property
    def prices(self) -> list[rules.ListPrice]:
        items = (
            PriceListItem.objects.filter(
                price_list__entity=self.entity, price_list__is_active=True, price_list__currency=self.currency
            )
            .filter(Q(price_list__customer=self.customer) | Q(price_list__segment_id__in=self.segment_ids))
            .filter(_window("price_list__", self.day))
            .select_related("price_list")
        )
        self._list_names = {
            str(item.price_list_id): self._label(gettext_noop("Price list %(name)s"), item.price_list.name)
            for item in items
        }
        return [
            rules.ListPrice(
                rule=self._list_names[str(item.price_list_id)]
                + (f" (≥ {item.min_quantity.normalize():f})" if item.min_quantity else ""),
                currency=item.price_list.currency,
                product_id=str(item.product_id),
                unit_price=item.unit_price,
                min_quantity=item.min_quantity,
                customer_id=_id(item.price_list.customer_id),
                segment_id=_id(item.price_list.segment_id),
                valid_from=item.price_list.valid_from,
                valid_until=item.price_list.valid_until,
                list_id=str(item.price_list_id),
                graduated=item.graduated,
            )  # fmt: skip
            for item in items
        ]

    @cached_property
    def promotions(self) -> list[rules.Discount]:
        found = Promotion.objects.filter(entity=self.entity, is_active=True)
        return [
            rules.Discount(
                rule=self._label(gettext_noop("Promotion %(name)s"), p.name),
                kind=rules.DiscountKind.PROMOTION_CODE if p.code else rules.DiscountKind.PROMOTION,
                percent=p.percent,
                product_id=_id(p.product_id),
                customer_id=_id(p.customer_id),
                segment_id=_id(p.segment_id),
                valid_from=p.valid_from,
                valid_until=p.valid_until,
                code=p.code,
            )  # fmt: skip
            for p in found
        ]

    @cached_property
    def discounts(self) -> list[rules.Discount]:
        found = Discount.objects.filter(entity=self.entity, is_active=True).filter(_window("", self.day))
        return [
            rules.Discount(
                rule=self._label(
                    gettext_noop("Volume discount %(name)s")
                    if d.kind == DiscountKind.VOLUME
                    else gettext_noop("Loyalty discount %(name)s"),
                    d.name,
                ),
                kind=rules.DiscountKind(d.kind),
                percent=d.percent,
                product_id=_id(d.product_id),
                segment_id=_id(d.segment_id),
                min_quantity=d.min_quantity,
                valid_from=d.valid_from,
                valid_until=d.valid_until,
                loyalty=rules.Loyalty(min_invoiced=d.min_invoiced, min_years=d.min_years),
            )  # fmt: skip
            for d in found
        ]

    @cached_property
    def context(self) -> rules.Context:
        needs_history = any(d.kind == rules.DiscountKind.LOYALTY for d in self.discounts)
        history = self._history() if needs_history and self._history is not None else CustomerHistory()
        return rules.Context(
            day=self.day, currency=self.currency, customer_id=str(self.customer.pk), segment_ids=self.segment_ids,
            invoiced_last_12_months=history.invoiced_last_12_months, customer_since=history.customer_since,
            promotion_code=self.promotion_code,
        )  # fmt: skip

    def check_code(self, *, field: str = "promotion_code") -> None:
        """Refuse a promotion code that is unknown, not valid on the day or not for this customer."""
        problem = check_code(self.context, self.promotions)
        if problem is None:
            return
        messages = {
            CodeProblem.UNKNOWN: _("Unknown promotion code '%(code)s'."),
            CodeProblem.NOT_YET_VALID: _("The promotion code '%(code)s' is not valid yet on %(day)s."),
            CodeProblem.EXPIRED: _("The promotion code '%(code)s' expired before %(day)s."),
            CodeProblem.NOT_FOR_CUSTOMER: _("The promotion code '%(code)s' is not for %(customer)s."),
        }
        values = {"code": self.promotion_code, "day": self.day.isoformat(), "customer": self.customer}
        raise ValidationFailed(messages[problem] % values, field=field, code=problem.value)

    def price(
        self, product: Product, quantity: Decimal, manual_price: Decimal | None = None
    ) -> rules.Pricing:
        line = rules.LineQuery(
            product_id=str(product.pk), quantity=quantity, product_price=product.unit_price
        )
        pricing = rules.price_line(self.context, line, self.prices, [*self.discounts, *self.promotions],
                                   manual_price=manual_price)  # fmt: skip
        if pricing.bands:
            pricing = replace(pricing, price_rule=self._bands_label(pricing))
        return pricing

    def _bands_label(self, pricing: rules.Pricing) -> str:
        """ "Price list Grands comptes, graduated: 10 × 10.00 + 5 × 9.00": the bands that applied, as the
        line records them (at most 200 characters), in the document's language."""
        language = self.language or translation.get_language() or "en"
        locale = language.split("-")[0]
        bands = " + ".join(
            f"{format_decimal(band.quantity.normalize(), locale=locale)} × "
            f"{format_decimal(band.unit_price, format='#,##0.00####', locale=locale)}"
            for band in pricing.bands
        )
        name = self._list_names[pricing.list_id]
        message = gettext_noop("%(name)s, graduated: %(bands)s")
        if self.language is None:
            label = _(message) % {"name": name, "bands": bands}
        else:
            with translation.override(self.language):
                label = _(message) % {"name": name, "bands": bands}
        return label if len(label) <= 200 else label[:199] + "…"
