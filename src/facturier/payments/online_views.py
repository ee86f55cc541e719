"""Public pages of online payment: the pay link, the page the customer returns to, the provider webhooks.

None needs a sign-in: the pay link is authorised by its signature, the webhooks by the provider's.
"""

from __future__ import annotations

import logging

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from facturier.accounts.models import LegalEntity
from facturier.common.errors import Conflict
from facturier.invoicing.models import Document
from facturier.payments.checkout_models import Checkout, CheckoutStatus, Provider
from facturier.payments.online import amount_due, checkout_open, document_for_token
from facturier.payments.provider_events import NotConfigured, paypal_return, webhook_receive
from facturier.payments.providers.base import ProviderError, SignatureInvalid

logger = logging.getLogger(__name__)


def _document(token: str) -> Document:
    document = document_for_token(token)
    if document is None:
        raise Http404
    return document


def _status(request: HttpRequest, document: Document, message: str, *, status: int = 200) -> HttpResponse:
    return render(
        request, "payments/pay_status.html", {"document": document, "message": message}, status=status
    )


@require_GET
def pay(request: HttpRequest, token: str) -> HttpResponse:
    """The invoice's pay link: to the provider's checkout for what is still due."""
    document = _document(token)
    with translation.override(document.language or "fr"):
        done = request.build_absolute_uri(reverse("payments:pay-done", kwargs={"token": token}))
        try:
            checkout = checkout_open(document=document, provider=request.GET.get("provider"),
                                     success_url=done, cancel_url=done + "?cancelled=1")  # fmt: skip
        except Conflict as exc:
            return _status(request, document, exc.message)
        except ProviderError as exc:
            logger.warning("checkout for %s: %s", document.pk, exc.message)
            return _status(request, document, _("Online payment is unavailable at the moment, please try again "
                                                "later."), status=503)  # fmt: skip
    return HttpResponseRedirect(checkout.url)


@require_GET
def pay_done(request: HttpRequest, token: str) -> HttpResponse:
    """Where the provider sends the customer back (PayPal: with the approved order, captured here)."""
    document = _document(token)
    with translation.override(document.language or "fr"):
        if request.GET.get("cancelled"):
            return _status(request, document, _("The payment was cancelled; the invoice is still due."))
        order_id = request.GET.get("token", "")
        checkout = Checkout.objects.filter(
            document=document, provider=Provider.PAYPAL, provider_id=order_id
        ).first()
        if checkout is not None and checkout.status != CheckoutStatus.PAID:
            try:
                paypal_return(checkout=checkout)
            except ProviderError as exc:
                logger.warning("PayPal capture of %s: %s", order_id, exc.message)
                return _status(request, document, _("PayPal could not complete the payment."), status=502)
        if amount_due(document) <= 0:
            return _status(request, document, _("Thank you: the invoice is paid."))
        return _status(request, document, _("Thank you: your payment is being processed."))


def _webhook(request: HttpRequest, entity: str, provider: str) -> HttpResponse:
    company = LegalEntity.objects.filter(pk=entity).first()
    if company is None:
        raise Http404
    try:
        webhook_receive(entity=company, provider=provider, body=request.body, headers=request.headers)
    except SignatureInvalid as exc:
        logger.warning("%s webhook for %s refused: %s", provider, entity, exc)
        return HttpResponseBadRequest("invalid signature")
    except NotConfigured as exc:
        raise Http404 from exc
    except ProviderError as exc:
        logger.warning("%s webhook verification failed: %s", provider, exc.message)
        return HttpResponse("verification unavailable", status=503)
    return HttpResponse("ok")


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest, entity: str) -> HttpResponse:
    return _webhook(request, str(entity), Provider.STRIPE)


@csrf_exempt
@require_POST
def paypal_webhook(request: HttpRequest, entity: str) -> HttpResponse:
    return _webhook(request, str(entity), Provider.PAYPAL)
