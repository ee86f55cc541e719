"""Staff UI routes (namespace "web"). Other modules add their pages here, one line each."""

from django.urls import URLPattern, URLResolver, path, register_converter

from facturier.web import access
from facturier.web.views import (
    actions,
    bank,
    billing,
    company,
    construction,
    credit,
    documents,
    downloads,
    editor,
    home,
    inbox,
    jobs,
    lookup,
    parties,
    payments,
    pricing,
    projects,
    reconcile,
    sepa,
    timesheets,
    timesheets_billing,
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
    path("pricing/", pricing.pricing_home, name="pricing"),
    path("pricing/price-list/<uuid:pk>/", pricing.price_list_detail, name="pricing-price-list"),
    path(
        "pricing/price-list/<uuid:pk>/items/<uuid:item_pk>/delete/",
        pricing.price_list_item_delete,
        name="pricing-price-list-item-delete",
    ),  # fmt: skip
    path("pricing/<slug:rule>/new/", pricing.rule_edit, name="pricing-new"),
    path("pricing/<slug:rule>/<uuid:pk>/edit/", pricing.rule_edit, name="pricing-edit"),
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
    path("projects/", projects.project_list, name="project-list"),
    path("projects/new/", projects.project_create, name="project-create"),
    path("projects/<uuid:pk>/", projects.project_detail, name="project-detail"),
    path("projects/<uuid:pk>/milestones/", projects.milestone_add, name="project-milestone-add"),
    path("projects/<uuid:pk>/progress/", projects.progress_record, name="project-progress"),
    path("projects/<uuid:pk>/acceptances/", projects.deliverable_accept, name="project-accept"),
    path(
        "projects/<uuid:pk>/acceptances/<uuid:acceptance_pk>/lift/",
        projects.reservations_lift,
        name="project-reservations-lift",
    ),
    path(
        "projects/<uuid:pk>/milestones/<uuid:milestone_pk>/reached/",
        projects.milestone_reached,
        name="project-milestone-reached",
    ),
    path(
        "projects/<uuid:pk>/milestones/<uuid:milestone_pk>/bill/",
        projects.milestone_bill_now,
        name="project-milestone-bill",
    ),
    path("construction/", construction.construction_list, name="construction-list"),
    path("construction/new/", construction.construction_new, name="construction-new"),
    path("construction/<uuid:pk>/", construction.construction_detail, name="construction-detail"),
    path(
        "construction/<uuid:pk>/situation/",
        construction.construction_situation,
        name="construction-situation",
    ),
    path(
        "construction/<uuid:pk>/situations/<uuid:situation_pk>/issue/",
        construction.construction_situation_issue,
        name="construction-situation-issue",
    ),
    path("construction/<uuid:pk>/accept/", construction.construction_accept, name="construction-accept"),
    path("construction/<uuid:pk>/release/", construction.construction_release, name="construction-release"),
    path("time/", timesheets.time_entries, name="time-entries"),
    path("time/submit/", timesheets.time_submit_week, name="time-submit-week"),
    path("time/expenses/", timesheets.expense_list, name="time-expenses"),
    path("time/expenses/<uuid:pk>/receipt/", timesheets.expense_receipt, name="time-expense-receipt"),
    path("time/approvals/", timesheets.approval_queue, name="time-approvals"),
    path(
        "time/approvals/<slug:kind>/<uuid:pk>/<slug:decision>/",
        timesheets.approval_decide,
        name="time-approval-decide",
    ),
    path("time/wip/", timesheets_billing.wip_view, name="time-wip"),
    path("time/wip/<uuid:pk>/invoice/", timesheets_billing.wip_invoice_view, name="time-wip-invoice"),
    path("time/rates/", timesheets_billing.rate_card, name="time-rates"),
    path("time/rates/<uuid:pk>/delete/", timesheets_billing.rate_delete, name="time-rate-delete"),
    path("billing/contracts/new/", billing.contract_new, name="billing-contract-new"),
    path("billing/contracts/<uuid:pk>/", billing.contract_detail, name="billing-contract"),
    path("billing/contracts/<uuid:pk>/change/", billing.contract_change_view, name="billing-contract-change"),
    path(
        "billing/contracts/<uuid:pk>/terminate/",
        billing.contract_terminate_view,
        name="billing-contract-terminate",
    ),
    path("billing/runs/new/", billing.billing_run_create, name="billing-run-create"),
    path("billing/runs/<uuid:pk>/", billing.billing_run_detail, name="billing-run"),
    path("billing/runs/<uuid:pk>/approve/", billing.billing_run_approve_view, name="billing-run-approve"),
    path("billing/indices/", billing.index_values, name="billing-indices"),
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
    path("bank/rules/", bank.reconciliation_rules, name="bank-reconciliation-rules"),
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
    path("customers/<uuid:pk>/refund/", credit.customer_refund, name="customer-refund"),
    path("invoices/<uuid:pk>/offset/", credit.document_offset, name="invoice-offset"),
    path("<section:slug>/", documents.document_list, name="document-list"),
    path("<section:slug>/new/", editor.document_create, name="document-create"),
]
