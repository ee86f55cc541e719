"""Pricing pages (/pricing/): price lists and their prices, discounts, promotions, customer segments.

Reached from the products page (no menu entry of its own). Writes go through facturier.pricing.services.
"""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from facturier.accounts.actor import as_actor
from facturier.accounts.roles import Action, role_allows
from facturier.common.errors import BusinessError, NotFound
from facturier.pricing import selectors, services
from facturier.web.access import EntityRequest, staff_view
from facturier.web.forms.pricing import (
    DiscountForm,
    PriceListForm,
    PriceListItemForm,
    PromotionForm,
    SegmentForm,
)
from facturier.web.forms.summary import error_summary


def _found(getter: Any, request: EntityRequest, pk: str) -> Any:
    """The company's row `pk`, else a plain 404 (another company's row is as unknown as a missing one)."""
    try:
        return getter(entity=request.entity, pk=pk)
    except NotFound as error:
        raise Http404 from error


def _require_edit(request: EntityRequest) -> None:
    if not role_allows(request.role, Action.EDIT_CATALOG):
        raise Http404  # the buttons are hidden; a forged URL finds nothing


@staff_view
def pricing_home(request: EntityRequest) -> HttpResponse:
    entity = request.entity
    return render(request, "web/pricing/home.html", {
        "price_lists": selectors.price_list_list(entity=entity),
        "discounts": selectors.discount_list(entity=entity),
        "promotions": selectors.promotion_list(entity=entity),
        "segments": selectors.segment_list(entity=entity),
    })  # fmt: skip


# The editable rules: (form, selector, service keyword, service)
RULES: dict[str, tuple[Any, Any, str, Any]] = {
    "segment": (SegmentForm, selectors.segment_get, "segment", services.segment_save),
    "price-list": (PriceListForm, selectors.price_list_get, "price_list", services.price_list_save),
    "discount": (DiscountForm, selectors.discount_get, "discount", services.discount_save),
    "promotion": (PromotionForm, selectors.promotion_get, "promotion", services.promotion_save),
}


def _titles() -> dict[str, tuple[str, str]]:
    return {
        "segment": (_("New customer segment"), _("Customer segment")),
        "price-list": (_("New price list"), _("Price list")),
        "discount": (_("New discount"), _("Discount")),
        "promotion": (_("New promotion"), _("Promotion")),
    }


@staff_view
def rule_edit(request: EntityRequest, rule: str, pk: str | None = None) -> HttpResponse:
    """Create or change one rule; a price list then shows its prices (`price_list_detail`)."""
    if rule not in RULES:
        raise Http404
    _require_edit(request)
    form_class, getter, keyword, save = RULES[rule]
    row = _found(getter, request, pk) if pk else None
    form = form_class(request.POST or None, instance=row, entity=request.entity)
    if request.method == "POST" and form.is_valid():
        values = form.values()
        if rule == "segment":
            values["customers"] = form.members()
        try:
            saved = save(entity=request.entity, by=as_actor(request.user), **{keyword: row}, **values)
        except BusinessError as error:
            form.attach(error)
        else:
            messages.success(request, _("Saved."))
            if rule == "price-list":
                return redirect("web:pricing-price-list", pk=saved.pk)
            return redirect("web:pricing")
    new_title, title = _titles()[rule]
    return render(request, "web/pricing/form.html", {
        "form": form, "row": row, "title": f"{title} {row}" if row else new_title,
        "problems": error_summary(form) if form.is_bound else [],
    })  # fmt: skip


@staff_view
def price_list_detail(request: EntityRequest, pk: str) -> HttpResponse:
    """A price list's prices by product and quantity break, with a form adding or changing one."""
    price_list = _found(selectors.price_list_get, request, pk)
    form = PriceListItemForm(request.POST or None, entity=request.entity)
    if request.method == "POST":
        _require_edit(request)
        if form.is_valid():
            try:
                services.price_list_item_set(
                    price_list=price_list, by=as_actor(request.user), **form.values()
                )
            except BusinessError as error:
                form.attach(error)
            else:
                messages.success(request, _("Price saved."))
                return redirect("web:pricing-price-list", pk=price_list.pk)
    return render(request, "web/pricing/price_list.html", {
        "price_list": price_list, "items": selectors.price_list_items(price_list=price_list), "form": form,
        "problems": error_summary(form) if form.is_bound else [],
    })  # fmt: skip


@require_POST
@staff_view
def price_list_item_delete(request: EntityRequest, pk: str, item_pk: str) -> HttpResponse:
    _require_edit(request)
    price_list = _found(selectors.price_list_get, request, pk)
    item = get_object_or_404(selectors.price_list_items(price_list=price_list), pk=item_pk)
    services.price_list_item_remove(item=item, by=as_actor(request.user))
    messages.success(request, _("Price removed."))
    return redirect("web:pricing-price-list", pk=price_list.pk)
