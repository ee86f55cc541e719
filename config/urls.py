"""Root URLs: staff UI at /, REST API at /api/v1/, admin at /admin/."""

from django.contrib import admin
from django.urls import include, path

from facturier.api.v1.api import api
from facturier.web.forms.login import AdminLoginForm

admin.site.login_form = AdminLoginForm  # the admin's sign-in is throttled like the staff UI's

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("facturier.payments.urls")),
    path("", include("facturier.web.urls")),
]
