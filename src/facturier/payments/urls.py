"""Online payment routes (namespace "payments"): the pay link and the provider webhooks."""

from django.urls import path

from facturier.payments import online_views

app_name = "payments"
urlpatterns = [
    path("pay/<str:token>/", online_views.pay, name="pay"),
    path("pay/<str:token>/done/", online_views.pay_done, name="pay-done"),
    path("webhooks/stripe/<uuid:entity>", online_views.stripe_webhook, name="stripe-webhook"),
    path("webhooks/paypal/<uuid:entity>", online_views.paypal_webhook, name="paypal-webhook"),
]
