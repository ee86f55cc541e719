"""Sign in, sign out and the dashboard."""

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render

from facturier.web.access import EntityRequest, site_language_first, staff_view
from facturier.web.forms.login import LoginForm
from facturier.web.receivables import dashboard_for
from facturier.web.two_factor import after_password


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True
    authentication_form = LoginForm  # throttled: accounts/login_guard.py

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        site_language_first(request)
        return super().dispatch(request, *args, **kwargs)

    def get_success_url(self) -> str:
        """After the password, the second step when the user has one (web/two_factor.py)."""
        return after_password(self.request, super().get_success_url())


login = LoginView.as_view()
logout = auth_views.LogoutView.as_view()


@staff_view
def dashboard(request: EntityRequest) -> HttpResponse:
    return render(request, "web/dashboard.html", {"board": dashboard_for(request.entity)})
