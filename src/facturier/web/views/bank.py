"""The bank pages: the company's accounts, adding one, uploading statements, the imports and the lines.
Every write goes through ``facturier.banking.services``."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from facturier.accounts.actor import as_actor
from facturier.accounts.roles import Action, role_allows
from facturier.banking import selectors
from facturier.banking.models import Channel, LineStatus
from facturier.banking.reconciliation import reconcile_after_import
from facturier.banking.rules import FIELDS as RULE_FIELDS
from facturier.banking.rules import reconciliation_rules_set, stored_rules
from facturier.banking.services import bank_account_add, max_statement_bytes, statement_import
from facturier.common.errors import BusinessError
from facturier.web.access import EntityRequest, staff_view
from facturier.web.forms.bank import BankAccountForm, ReconciliationRulesForm, StatementUploadForm
from facturier.web.forms.summary import error_summary
from facturier.web.keyset import page_of

PAGE_SIZE = 50


def _require_writer(request: EntityRequest) -> None:
    if not role_allows(request.role, Action.RECORD_PAYMENT):
        raise Http404  # the button is hidden; a forged URL finds nothing


@staff_view
def bank_home(request: EntityRequest) -> HttpResponse:
    counts = selectors.line_counts(entity=request.entity)
    imports = Paginator(selectors.statement_imports(entity=request.entity), 20).get_page(
        request.GET.get("page")
    )
    return render(request, "web/bank/home.html", {
        "accounts": selectors.bank_accounts(entity=request.entity), "imports": imports,
        "counts": [(value, label, counts.get(value, 0)) for value, label in LineStatus.choices],
    })  # fmt: skip


@staff_view
def bank_account_create(request: EntityRequest) -> HttpResponse:
    _require_writer(request)
    form = BankAccountForm(request.POST or None, initial={"currency": request.entity.default_currency})
    if request.method == "POST" and form.is_valid():
        try:
            account = bank_account_add(entity=request.entity, by=as_actor(request.user), **form.cleaned_data)
        except BusinessError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Bank account %(account)s added.") % {"account": account})
            return redirect("web:bank-home")
    problems = error_summary(form) if form.is_bound else []
    return render(request, "web/bank/account_form.html", {"form": form, "problems": problems},
                  status=400 if form.errors else 200)  # fmt: skip


@staff_view
def bank_upload(request: EntityRequest) -> HttpResponse:
    _require_writer(request)
    accounts = list(selectors.bank_accounts(entity=request.entity))
    choices = [(str(account.pk), str(account)) for account in accounts]
    form = StatementUploadForm(request.POST or None, request.FILES or None, accounts=choices)
    context = {"form": form, "accounts": accounts, "max_mb": max_statement_bytes() // (1024 * 1024)}
    if request.method != "POST" or not form.is_valid():
        context["problems"] = error_summary(form) if form.is_bound else []
        return render(request, "web/bank/upload.html", context, status=400 if form.errors else 200)
    upload = form.cleaned_data["file"]
    account = next((a for a in accounts if str(a.pk) == form.cleaned_data["account"]), None)
    try:
        if upload.size is not None and upload.size > max_statement_bytes():
            raise BusinessError(
                _("The file is over the %(limit)s bytes limit.") % {"limit": max_statement_bytes()}
            )
        result = statement_import(entity=request.entity, by=as_actor(request.user), filename=upload.name or "statement",
                                  content=upload.read(), account=account, channel=Channel.UPLOAD)  # fmt: skip
    except BusinessError as error:
        form.add_error("file", _("File refused: %(reason)s") % {"reason": error.message})
        context["problems"] = error_summary(form)
        return render(request, "web/bank/upload.html", context, status=error.status)
    if result.already_imported:
        messages.warning(request, _("This file was already imported: nothing new."))
    else:
        summary = reconcile_after_import(request.entity, new_lines=result.new_lines)
        if summary is not None:
            messages.info(
                request,
                _(
                    "Reconciliation: %(auto)s reconciled automatically, %(proposed)s proposed, %(unmatched)s left."
                )
                % summary.as_dict(),
            )
        messages.success(
            request,
            _("Statement imported: %(new)s new lines, %(old)s already imported.")
            % {"new": result.new_lines, "old": result.duplicate_lines},
        )
    return redirect("web:bank-home")


@staff_view
def bank_line_list(request: EntityRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in LineStatus.values else ""
    accounts = list(selectors.bank_accounts(entity=request.entity))
    account = next((a for a in accounts if str(a.pk) == request.GET.get("account")), None)
    rows = selectors.bank_lines(entity=request.entity, account=account, status=status or None)
    # keyset pages, latest booking first, no total COUNT beyond 1,000 (issue 9)
    page = page_of(request, rows, ("-booking_date", "-created_at", "-id"), size=PAGE_SIZE)
    return render(request, "web/bank/lines.html", {
        "page": page, "status": status, "statuses": LineStatus.choices, "accounts": accounts, "account": account,
    })  # fmt: skip


def _typed(value: str) -> str:
    """A number as the user typed it, French decimal comma and spaces allowed; the service checks it."""
    return value.strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", ".")


@staff_view
def reconciliation_rules(request: EntityRequest) -> HttpResponse:
    """The company's reconciliation rules; an admin changes them through `banking.rules` (checked, audited)."""
    stored = stored_rules(request.entity)
    can_change = role_allows(request.role, Action.MANAGE_ENTITY)
    form = ReconciliationRulesForm(request.POST or None,
                                   initial={name: getattr(stored, name) for name in RULE_FIELDS})  # fmt: skip
    if request.method == "POST":
        if not can_change:
            raise Http404
        if form.is_valid():
            changes = {name: _typed(form.cleaned_data[name]) for name in RULE_FIELDS
                       if _typed(form.cleaned_data[name]) != str(getattr(stored, name))}  # fmt: skip
            try:
                if changes:
                    reconciliation_rules_set(entity=request.entity, by=as_actor(request.user), **changes)
            except BusinessError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(
                    request, _("Reconciliation rules saved.") if changes else _("Nothing changed.")
                )
                return redirect("web:bank-reconciliation-rules")
    if not can_change:
        for field in form.fields.values():
            field.disabled = True
    problems = error_summary(form) if form.is_bound else []
    return render(request, "web/bank/rules.html", {"form": form, "problems": problems, "can_change": can_change},
                  status=422 if form.is_bound and form.errors else 200)  # fmt: skip
