"""Staff UI routes (namespace "web"). Other modules add their pages here, one line each."""

from django.urls import URLPattern, URLResolver, path, register_converter

from facturier.web import access
from facturier.web.views import (
    actions,
    bank,
    billing,
    company,
    documents,
    downloads,
    editor,
    home,
    inbox,
    jobs,
    lookup,
    parties,
    payments,
    reconcile,
    sepa,
)
from facturier.web.views.approval_received import approval_received, approval_received_decide
from facturier.web.views.approval_rules import (
    approval_delegation_add,
    approval_delegation_delete,
    approval_rule_add,
    approval_rule_delete,
    approval_rules,
)
from facturier.web.views.approvals import approval_decide, approval_detail, approval_list
from facturier.web.views.company_two_factor import company_two_factor_policy, company_two_factor_reset
from facturier.web.views.two_factor import (
    two_factor_account,
    two_factor_disable,
    two_factor_regenerate,
    two_factor_setup,
    two_factor_verify,
)


class SectionConverter:
    """Only the document lists' names, so `<section:slug>/` never shadows another page."""

    regex = "quotes|orders|invoices|credit-notes"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(SectionConverter, "section")

app_name = "web"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", home.dashboard, name="dashboard"),
    path("login/", home.login, name="login"),
    path("logout/", home.logout, name="logout"),
    path("entity/", access.switch_entity, name="switch-entity"),
    path("customers/", parties.customer_list, name="customer-list"),
    path("customers/new/", parties.customer_edit, name="customer-create"),
    path("customers/<uuid:pk>/", parties.customer_detail, name="customer-detail"),
    path("customers/<uuid:pk>/edit/", parties.customer_edit, name="customer-edit"),
    path("customers/<uuid:pk>/contacts/", parties.contact_add, name="customer-contact-add"),
    path(
        "customers/<uuid:pk>/contacts/<uuid:contact_pk>/delete/",
        parties.contact_delete,
        name="customer-contact-delete",
    ),  # fmt: skip
    path("products/", parties.product_list, name="product-list"),
    path("products/new/", parties.product_edit, name="product-create"),
    path("products/<uuid:pk>/edit/", parties.product_edit, name="product-edit"),
    path("documents/totals/", editor.document_totals, name="document-totals"),
    path("lookup/<slug:source>/", lookup.lookup, name="lookup"),
    path("documents/<uuid:pk>/", documents.document_detail, name="document-detail"),
    path("documents/<uuid:pk>/edit/", editor.document_edit, name="document-edit"),
    path("documents/<uuid:pk>/<slug:action>/", actions.document_action, name="document-action"),
    path("documents/<uuid:pk>/download/<slug:fmt>/", downloads.document_download, name="document-download"),
    path("company/", company.company_settings, name="company-settings"),
    path("company/logo/", company.company_logo, name="company-logo"),
    path("company/series/<uuid:pk>/", company.company_series, name="company-series"),
    path("company/members/", company.company_member_add, name="company-member-add"),
    path("company/members/<uuid:pk>/", company.company_member_role, name="company-member-role"),
    path("company/members/<uuid:pk>/unlock/", company.company_member_unlock, name="company-member-unlock"),
    path("company/two-factor/", company_two_factor_policy, name="company-two-factor"),
    path(
        "company/members/<uuid:pk>/two-factor-reset/",
        company_two_factor_reset,
        name="company-member-two-factor-reset",
    ),
    path("account/two-factor/", two_factor_account, name="two-factor-account"),
    path("account/two-factor/setup/", two_factor_setup, name="two-factor-setup"),
    path("account/two-factor/verify/", two_factor_verify, name="two-factor-verify"),
    path("account/two-factor/recovery-codes/", two_factor_regenerate, name="two-factor-regenerate"),
    path("account/two-factor/disable/", two_factor_disable, name="two-factor-disable"),
    path("approvals/", approval_list, name="approval-list"),
    path("approvals/rules/", approval_rules, name="approval-rules"),
    path("approvals/rules/add/", approval_rule_add, name="approval-rule-add"),
    path("approvals/rules/<uuid:pk>/delete/", approval_rule_delete, name="approval-rule-delete"),
    path("approvals/delegations/add/", approval_delegation_add, name="approval-delegation-add"),
    path(
        "approvals/delegations/<uuid:pk>/delete/",
        approval_delegation_delete,
        name="approval-delegation-delete",
    ),
    path("approvals/supplier/<uuid:pk>/", approval_received, name="approval-received"),
    path(
        "approvals/supplier/<uuid:pk>/<slug:decision>/",
        approval_received_decide,
        name="approval-received-decide",
    ),
    path("approvals/<uuid:pk>/", approval_detail, name="approval-detail"),
    path("approvals/<uuid:pk>/<slug:decision>/", approval_decide, name="approval-decide"),
    path("jobs/", jobs.job_list, name="job-list"),
    path("billing/", billing.billing_overview, name="billing-overview"),
    path("inbox/", inbox.inbox_list, name="inbox-list"),
    path("inbox/import/", inbox.inbox_upload, name="inbox-upload"),
    path("inbox/<uuid:pk>/", inbox.inbox_detail, name="inbox-detail"),
    path("inbox/<uuid:pk>/original/", inbox.inbox_original, name="inbox-original"),
    path("inbox/<uuid:pk>/decide/", inbox.inbox_decide, name="inbox-decide"),
    path("customers/<uuid:pk>/mandates/new/", sepa.mandate_add, name="customer-mandate-add"),
    path(
        "customers/<uuid:pk>/mandates/<uuid:mandate_pk>/revoke/",
        sepa.mandate_revoke_view,
        name="customer-mandate-revoke",
    ),
    path("sepa/", sepa.sepa_files, name="sepa-files"),
    path("sepa/<uuid:pk>/download/", sepa.sepa_file_download, name="sepa-file-download"),
    path("bank/", bank.bank_home, name="bank-home"),
    path("bank/accounts/new/", bank.bank_account_create, name="bank-account-create"),
    path("bank/import/", bank.bank_upload, name="bank-upload"),
    path("bank/lines/", bank.bank_line_list, name="bank-lines"),
    path("bank/reconcile/", reconcile.reconcile_screen, name="bank-reconcile"),
    path("bank/reconcile/run/", reconcile.reconcile_run, name="bank-reconcile-run"),
    path("bank/reconcile/accept-confident/", reconcile.reconcile_bulk, name="bank-reconcile-bulk"),
    path("bank/reconcile/<uuid:pk>/", reconcile.reconcile_line, name="bank-reconcile-line"),
    path("bank/reconcile/<uuid:pk>/<slug:action>/", reconcile.reconcile_action, name="bank-reconcile-action"),
    path("payments/", payments.payment_list, name="payment-list"),
    path("payments/new/", payments.payment_create, name="payment-create"),
    path("payments/<uuid:pk>/", payments.payment_detail, name="payment-detail"),
    path("payments/<uuid:pk>/allocate/", payments.payment_allocate, name="payment-allocate"),
    path(
        "payments/<uuid:pk>/allocations/<uuid:allocation_pk>/remove/",
        payments.payment_unallocate,
        name="payment-unallocate",
    ),
    path("payments/<uuid:pk>/reverse/", payments.payment_reverse, name="payment-reverse"),
    path("invoices/<uuid:pk>/apply-credit/", payments.credit_apply, name="invoice-apply-credit"),
    path("customers/<uuid:pk>/statement/", payments.customer_statement, name="customer-statement"),
    path("<section:slug>/", documents.document_list, name="document-list"),
    path("<section:slug>/new/", editor.document_create, name="document-create"),
]
