"""Sign in, sign out and the dashboard."""

from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.shortcuts import render

from facturier.web.access import EntityRequest, staff_view
from facturier.web.receivables import dashboard_for

login = auth_views.LoginView.as_view(template_name="web/login.html", redirect_authenticated_user=True)
logout = auth_views.LogoutView.as_view()


@staff_view
def dashboard(request: EntityRequest) -> HttpResponse:
    return render(request, "web/dashboard.html", {"board": dashboard_for(request.entity)})
