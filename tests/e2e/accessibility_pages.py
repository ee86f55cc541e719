"""Every page of the staff UI, as the accessibility gate (test_accessibility.py) visits it, and every other
named URL of the site (but the admin, the API and the language switch) with the reason it is not a page.

A page added to `web/urls.py` (or to a future customer portal) must be listed here, in PAGES (the gate then checks it) or in NOT_PAGES (with the
reason): test_accessibility_pages.py fails otherwise, and the gate checks that NOT_PAGES entries really render
no HTML page on GET. Keys such as "customer" or "issued" name the objects SETUP creates; their ids are written to
`ids.json` in the server's data directory.
"""

import dataclasses
import json
from pathlib import Path
from typing import Any

from tests.e2e import server

APPROVER, APPROVER_PASSWORD = "paul", "pw-paul-e2e-1"
NEWCOMER, NEWCOMER_PASSWORD = "lea", "pw-lea-e2e-1"  # a member of no company yet
ENROLLED, ENROLLED_PASSWORD = "hugo", "pw-hugo-e2e-1"  # has an authenticator: signing in asks for a code
ENROLLING, ENROLLING_PASSWORD = "ines", "pw-ines-e2e-1"  # sets one up in the gate's states, then turns it off
LOCKED = "jules"  # a member whose sign-in is locked after too many failed attempts
PASSWORDS = {
    server.USERNAME: server.PASSWORD,
    APPROVER: APPROVER_PASSWORD,
    NEWCOMER: NEWCOMER_PASSWORD,
    ENROLLED: ENROLLED_PASSWORD,
    ENROLLING: ENROLLING_PASSWORD,
}
SECTIONS = ("quotes", "orders", "invoices", "credit-notes")


@dataclasses.dataclass(frozen=True)
class Page:
    """One URL to check: a named route, its plain arguments, and those that are ids of SETUP's objects."""

    name: str  # with its namespace: "web:customer-detail"
    kwargs: dict[str, str] = dataclasses.field(default_factory=dict)
    ids: dict[str, str] = dataclasses.field(default_factory=dict)
    query: str = ""
    signed_in: bool = True
    # who is signed in when the gate shows it (a page some users reach only, such as the second sign-in step)
    user: str = server.USERNAME
    # a customer-facing page speaks the document's language, whatever the visitor chose ("" = the visitor's)
    language: str = ""

    def url(self, known_ids: dict[str, str]) -> str:
        from django.urls import reverse

        kwargs = {**self.kwargs, **{key: known_ids[object_key] for key, object_key in self.ids.items()}}
        return reverse(self.name, kwargs=kwargs) + self.query

    @property
    def label(self) -> str:
        details = [*self.kwargs.values(), *self.ids.values()]
        return self.name.removeprefix("web:") + (f" ({', '.join(details)})" if details else "")


PAGES: tuple[Page, ...] = (
    Page("web:login", signed_in=False),
    Page("web:dashboard"),
    Page("web:customer-list"),
    Page("web:customer-create"),
    Page("web:customer-detail", ids={"pk": "customer"}),
    Page("web:customer-edit", ids={"pk": "customer"}),
    Page("web:product-list"),
    Page("web:product-create"),
    Page("web:product-edit", ids={"pk": "product"}),
    Page("web:pricing"),
    Page("web:pricing-price-list", ids={"pk": "price_list"}),
    *(
        Page("web:pricing-new", kwargs={"rule": rule})
        for rule in ("price-list", "discount", "promotion", "segment")
    ),
    Page("web:pricing-edit", kwargs={"rule": "price-list"}, ids={"pk": "price_list"}),
    Page("web:pricing-edit", kwargs={"rule": "discount"}, ids={"pk": "discount"}),
    Page("web:pricing-edit", kwargs={"rule": "promotion"}, ids={"pk": "promotion"}),
    Page("web:pricing-edit", kwargs={"rule": "segment"}, ids={"pk": "segment"}),
    *(Page("web:document-list", kwargs={"slug": slug}) for slug in SECTIONS),
    # credit notes are made from an invoice (document-action "credit"), not from a blank page
    *(Page("web:document-create", kwargs={"slug": slug}) for slug in SECTIONS if slug != "credit-notes"),
    Page("web:document-detail", ids={"pk": "draft"}),
    Page("web:document-detail", ids={"pk": "quote"}),
    Page("web:document-detail", ids={"pk": "pending"}),
    Page("web:document-detail", ids={"pk": "issued"}),
    Page("web:document-edit", ids={"pk": "draft"}),
    Page("web:document-download", kwargs={"fmt": "validation"}, ids={"pk": "issued"}),
    Page("web:company-settings"),
    Page("web:approval-list"),
    Page("web:approval-detail", ids={"pk": "pending"}),
    Page("web:approval-rules"),
    Page("web:approval-received", ids={"pk": "received"}),
    Page("web:inbox-list"),
    Page("web:inbox-upload"),
    Page("web:inbox-detail", ids={"pk": "received"}),
    Page("web:customer-mandate-add", ids={"pk": "customer"}),
    Page("web:sepa-files"),
    Page("web:job-list"),
    Page("web:billing-overview"),
    Page("web:project-list"),
    Page("web:project-create"),
    Page("web:project-detail", ids={"pk": "project"}),
    Page("web:construction-list"),
    Page("web:construction-new"),
    Page("web:construction-detail", ids={"pk": "construction"}),
    Page("web:construction-situation", ids={"pk": "construction"}),
    Page("web:time-entries"),
    Page("web:time-expenses"),
    Page("web:time-approvals"),
    Page("web:time-wip"),
    Page("web:time-rates"),
    Page("web:billing-contract-new"),
    Page("web:billing-contract", ids={"pk": "contract"}),
    Page("web:billing-run", ids={"pk": "billing_run"}),
    Page("web:billing-indices"),
    Page("web:bank-home"),
    Page("web:bank-account-create"),
    Page("web:bank-upload"),
    Page("web:bank-lines"),
    Page("web:bank-reconcile"),
    Page("web:bank-reconcile-line", ids={"pk": "bank_line"}),
    Page("web:payment-list"),
    Page("web:payment-create"),
    Page("web:payment-detail", ids={"pk": "payment"}),
    Page("web:customer-statement", ids={"pk": "customer"}),
    # the customer has 100.00 of credit (payment of 500.00, 400.00 allocated): the refund form shows
    Page("web:customer-refund", ids={"pk": "customer"}),
    Page("web:invoice-offset", ids={"pk": "issued"}),
    Page("web:bank-reconciliation-rules"),
    # Marie has no second factor: the account page offers to set one up, the set-up page shows the key
    Page("web:two-factor-account"),
    Page("web:two-factor-setup"),
    # Hugo has one: after his password, every page sends him to the second step until he types a code
    Page("web:two-factor-verify", query="?next=/", user=ENROLLED),
    # the states behind a form (recovery codes shown once, the account page of an enrolled member, the
    # lockout message on the login page) are STATES of test_accessibility.py
    # the customer's pay link and the page they return to (this company takes no online payment: a notice)
    Page("payments:pay", ids={"token": "pay_token"}, signed_in=False, language="fr"),
    Page("payments:pay-done", ids={"token": "pay_token"}, signed_in=False, language="fr"),
)

# name -> (why it is no page, the arguments of a GET that shows it)
_NIL = "00000000-0000-0000-0000-000000000000"
NOT_PAGES: dict[str, tuple[str, Page]] = {
    "web:logout": ("POST only", Page("web:logout")),
    "web:switch-entity": ("POST only", Page("web:switch-entity")),
    "web:customer-contact-add": ("POST only", Page("web:customer-contact-add", ids={"pk": "customer"})),
    "web:customer-contact-delete": (
        "POST only",
        Page("web:customer-contact-delete", ids={"pk": "customer", "contact_pk": "contact"}),
    ),
    "web:document-totals": ("JSON for the editor, POST only", Page("web:document-totals")),
    "web:lookup": ("JSON for the pickers", Page("web:lookup", kwargs={"source": "customers"})),
    "web:document-action": (
        "POST only",
        Page("web:document-action", kwargs={"action": "submit"}, ids={"pk": "draft"}),
    ),
    "web:company-logo": ("an image", Page("web:company-logo")),
    "web:billing-contract-change": ("POST only", Page("web:billing-contract-change", ids={"pk": "contract"})),
    "web:billing-contract-terminate": (
        "POST only",
        Page("web:billing-contract-terminate", ids={"pk": "contract"}),
    ),
    "web:billing-run-create": ("POST only", Page("web:billing-run-create")),
    "web:billing-run-approve": ("POST only", Page("web:billing-run-approve", ids={"pk": "billing_run"})),
    "web:pricing-price-list-item-delete": (
        "POST only",
        Page("web:pricing-price-list-item-delete", ids={"pk": "price_list", "item_pk": "price_list_item"}),
    ),
    "web:company-series": ("POST only", Page("web:company-series", ids={"pk": "series"})),
    "web:company-member-add": ("POST only", Page("web:company-member-add")),
    "web:company-member-role": ("POST only", Page("web:company-member-role", ids={"pk": "membership"})),
    "web:approval-decide": (
        "POST only",
        Page("web:approval-decide", kwargs={"decision": "approve"}, ids={"pk": "pending"}),
    ),
    "web:approval-rule-add": ("POST only", Page("web:approval-rule-add")),
    "web:approval-rule-delete": ("POST only", Page("web:approval-rule-delete", kwargs={"pk": _NIL})),
    "web:approval-delegation-add": ("POST only", Page("web:approval-delegation-add")),
    "web:approval-delegation-delete": (
        "POST only",
        Page("web:approval-delegation-delete", kwargs={"pk": _NIL}),
    ),
    "web:approval-received-decide": (
        "POST only",
        Page("web:approval-received-decide", kwargs={"decision": "approve"}, ids={"pk": "received"}),
    ),
    "web:inbox-original": ("the received file", Page("web:inbox-original", ids={"pk": "received"})),
    "web:inbox-decide": ("POST only", Page("web:inbox-decide", ids={"pk": "received"})),
    "web:company-member-unlock": ("POST only", Page("web:company-member-unlock", ids={"pk": "locked"})),
    "web:company-two-factor": ("POST only", Page("web:company-two-factor")),
    "web:company-member-two-factor-reset": (
        "POST only",
        Page("web:company-member-two-factor-reset", ids={"pk": "enrolled"}),
    ),
    # the recovery codes it answers with are a state of the gate (shown after setting up)
    "web:two-factor-regenerate": ("POST only", Page("web:two-factor-regenerate")),
    "web:two-factor-disable": ("POST only", Page("web:two-factor-disable")),
    "web:customer-mandate-revoke": (
        "POST only",
        Page("web:customer-mandate-revoke", ids={"pk": "customer", "mandate_pk": "mandate"}),
    ),
    "web:sepa-file-download": ("the pain XML file", Page("web:sepa-file-download", ids={"pk": "sepa_file"})),
    "web:payment-allocate": ("POST only", Page("web:payment-allocate", ids={"pk": "payment"})),
    "web:payment-unallocate": (
        "POST only",
        Page("web:payment-unallocate", ids={"pk": "payment", "allocation_pk": "allocation"}),
    ),
    "web:payment-reverse": ("POST only", Page("web:payment-reverse", ids={"pk": "payment"})),
    "web:invoice-apply-credit": ("POST only", Page("web:invoice-apply-credit", ids={"pk": "issued"})),
    "web:bank-reconcile-run": ("POST only", Page("web:bank-reconcile-run")),
    "web:bank-reconcile-bulk": ("POST only", Page("web:bank-reconcile-bulk")),
    "web:bank-reconcile-action": (
        "POST only",
        Page("web:bank-reconcile-action", kwargs={"action": "accept"}, ids={"pk": "bank_line"}),
    ),
    "web:project-milestone-add": ("POST only", Page("web:project-milestone-add", ids={"pk": "project"})),
    "web:project-progress": ("POST only", Page("web:project-progress", ids={"pk": "project"})),
    "web:project-accept": ("POST only", Page("web:project-accept", ids={"pk": "project"})),
    "web:project-reservations-lift": (
        "POST only",
        Page("web:project-reservations-lift", ids={"pk": "project", "acceptance_pk": "project_acceptance"}),
    ),
    "web:project-milestone-reached": (
        "POST only",
        Page("web:project-milestone-reached", ids={"pk": "project", "milestone_pk": "project_milestone"}),
    ),
    "web:project-milestone-bill": (
        "POST only",
        Page("web:project-milestone-bill", ids={"pk": "project", "milestone_pk": "project_milestone"}),
    ),
    "web:construction-situation-issue": (
        "POST only",
        Page("web:construction-situation-issue", ids={"pk": "construction", "situation_pk": "situation"}),
    ),
    "web:construction-accept": ("POST only", Page("web:construction-accept", ids={"pk": "construction"})),
    "web:construction-release": ("POST only", Page("web:construction-release", ids={"pk": "construction"})),
    "web:time-submit-week": ("POST only", Page("web:time-submit-week")),
    "web:time-expense-receipt": ("the receipt file", Page("web:time-expense-receipt", kwargs={"pk": _NIL})),
    "web:time-approval-decide": (
        "POST only",
        Page("web:time-approval-decide", kwargs={"kind": "time", "pk": _NIL, "decision": "approve"}),
    ),
    "web:time-wip-invoice": ("POST only", Page("web:time-wip-invoice", kwargs={"pk": _NIL})),
    "web:time-rate-delete": ("POST only", Page("web:time-rate-delete", kwargs={"pk": _NIL})),
    "payments:stripe-webhook": (
        "POST only (Stripe's webhook)",
        Page("payments:stripe-webhook", kwargs={"entity": _NIL}),
    ),
    "payments:paypal-webhook": (
        "POST only (PayPal's webhook)",
        Page("payments:paypal-webhook", kwargs={"entity": _NIL}),
    ),
}
# document-download is a page for fmt=validation (in PAGES) and a file otherwise
FILES = (Page("web:document-download", kwargs={"fmt": "pdf"}, ids={"pk": "issued"}),)

# Data for the detail pages: a user in no company, a member with a second factor (Hugo), one who sets it up
# in the gate (Ines), one whose sign-in is locked (Jules, locked for a day: the gate runs longer than a lock), a contact, a draft and a quote, an invoice awaiting approval (submitted by
# another member, so Marie may approve it), an issued invoice and a received supplier invoice. Run after
# server.SETUP; writes the objects' ids to ids.json in the data directory.
SETUP = f"""
import json, os
from pathlib import Path
import datetime as dt
from django.utils import timezone
from django_otp.oath import totp
from facturier.accounts import two_factor
from facturier.accounts.login_guard import SignInAttempt
from facturier.accounts.models import LoginThrottle, Membership
from facturier.accounts.roles import Role
from facturier.accounts.services import entity_update, membership_set
from facturier.catalog.models import Product
from facturier.inbox.services import einvoice_import
from facturier.invoicing.models import NumberingSeries
from facturier.invoicing.services import LineData, document_create, invoice_approve, invoice_issue, invoice_submit
from facturier.parties.models import Customer
from facturier.parties.services import contact_create
from facturier.payments.services import payment_record
from facturier.banking.models import BankLine
from facturier.banking.services import bank_account_add
from facturier.payments.online import pay_token
from tests.inbox.builders import cii_bytes

entity_update(entity=entity, by=None, requires_approval=True)
paul = get_user_model().objects.create_user({APPROVER!r}, "paul@example.fr", {APPROVER_PASSWORD!r},
                                            first_name="Paul", last_name="Girard")
membership_set(entity=entity, user=paul, role=Role.ACCOUNTANT, by=user)
get_user_model().objects.create_user({NEWCOMER!r}, "lea@example.fr", {NEWCOMER_PASSWORD!r})
hugo = get_user_model().objects.create_user({ENROLLED!r}, "hugo@example.fr", {ENROLLED_PASSWORD!r})
membership_set(entity=entity, user=hugo, role=Role.SALES, by=user)
device = two_factor.totp_enrollment_start(user=hugo)
two_factor.totp_enrollment_confirm(user=hugo, device=device, code=f"{{totp(device.bin_key):06d}}")
ines = get_user_model().objects.create_user({ENROLLING!r}, "ines@example.fr", {ENROLLING_PASSWORD!r})
membership_set(entity=entity, user=ines, role=Role.SALES, by=user)
jules = get_user_model().objects.create_user({LOCKED!r}, "jules@example.fr", "pw-jules-e2e-1")
membership_set(entity=entity, user=jules, role=Role.SALES, by=user)
while SignInAttempt(username={LOCKED!r}, address="192.0.2.7").failed() is None:
    pass
LoginThrottle.objects.filter(locked_until__isnull=False).update(locked_until=timezone.now() + dt.timedelta(days=1))
customer = Customer.objects.get(entity=entity, code="C001")
contact = contact_create(customer=customer, by=None, name="Claire Martin", email="claire@martin.example")
product = Product.objects.get(sku="CONSEIL-J")
from facturier.pricing import services as pricing
segment = pricing.segment_save(entity=entity, by=None, code="GROS", name="Grossistes", customers=[customer])
price_list = pricing.price_list_save(entity=entity, by=None, name="Grossistes", segment=segment)
price_list_item = pricing.price_list_item_set(price_list=price_list, by=None, product=product, unit_price="800",
                                              min_quantity="10")
discount = pricing.discount_save(entity=entity, by=None, name="10 jours et plus", kind="volume", percent="5",
                                 min_quantity="10")
promotion = pricing.promotion_save(entity=entity, by=None, name="Bienvenue", code="BIENVENUE", percent="10",
                                   valid_from=dt.date(2025, 1, 1), valid_until=dt.date(2035, 12, 31))


def invoice(kind="invoice", by=user):
    return document_create(entity=entity, kind=kind, customer=customer, by=by, lines=[
        LineData(product=product, quantity=Decimal("2")),
        LineData(description="Déplacement", quantity=Decimal("1"), unit_price=Decimal("120.00"),
                 vat_rate=Decimal("20.00")),
    ])


draft = invoice()
quote = invoice("quote")
pending = invoice_submit(invoice=invoice(by=paul), by=paul)
issued = invoice(by=paul)
invoice_submit(invoice=issued, by=paul)
invoice_approve(invoice=issued, by=user)
issued = invoice_issue(invoice=issued, by=user)
payment = payment_record(entity=entity, customer=customer, amount=Decimal("500.00"), received_on=issued.issue_date,
                         by=user, reference="VIR-E2E", allocations=[(issued, Decimal("400.00"))])
received = einvoice_import(entity=entity, by=user, filename="FA-42.xml", content=cii_bytes()).records[0]
bank_account = bank_account_add(entity=entity, by=None, iban="FR7630006000011234567890189", name="Compte courant")
bank_line = BankLine.objects.create(
    entity=entity, account=bank_account, booking_date=issued.issue_date, amount=Decimal("1000.00"), currency="EUR",
    remittance="VIREMENT " + issued.number, counterparty_name="BOULANGERIE MARTIN", natural_key="e2e-1",
    status="proposed", score=Decimal("0.8"), reasons=[{{"code": "reference_exact", "params": {{"number": issued.number}}}}],
    proposed_allocations=[{{"item_key": "doc:" + str(issued.pk), "amount": "1000.00"}}],
)
from facturier.payments.sepa_mandates import mandate_create, sepa_creditor_set
from facturier.payments.sepa_transfers import credit_transfer_file_generate, refund_order
from facturier.payments.services import payment_record
sepa_creditor_set(entity=entity, creditor_id="FR72ZZZ123456", by=None)
mandate = mandate_create(customer=customer, reference="UMR-E2E-1", signed_on=dt.date(2025, 1, 15),
                         iban="DE89370400440532013000", by=None)
payment_record(entity=entity, customer=customer, amount=Decimal("50.00"), received_on=dt.date(2025, 1, 15), by=None)
refund_order(customer=customer, amount=Decimal("20.00"), iban="DE89370400440532013000",
             execution_date=dt.date(2025, 1, 20), by=None)
sepa_file = credit_transfer_file_generate(entity=entity, execution_date=dt.date(2025, 1, 20), by=None)
from facturier.projects.services import deliverable_accept, milestone_add, project_create
project = project_create(entity=entity, customer=customer, by=user, reference="PRJ-E2E", name="Refonte du site",
                         start_date=dt.date(2025, 1, 15), fixed_price=Decimal("10000.00"),
                         deposit_percent=Decimal("30"), phases=["Conception", "Réalisation"])
project_milestone = milestone_add(project=project, by=user, kind="instalment", label="Livraison du lot 1",
                                  percent=Decimal("40"), trigger="acceptance", deliverable="Lot 1")
project_acceptance = deliverable_accept(milestone=project_milestone, by=user, signed_by="Claire Martin",
                                        accepted_on=dt.date(2025, 1, 20), reservations="Deux pages à corriger")
milestone_add(project=project, by=user, kind="balance", label="Solde", trigger="acceptance", deliverable="Site")
from facturier.construction.services import LineInput, ProgressInput, construction_contract_create, situation_issue, situation_record
construction = construction_contract_create(
    entity=entity, customer=customer, by=user, reference="M-E2E", name="Extension de l'atelier", lines=[
        LineInput(description="Terrassement", quantity=Decimal("120"), unit="MTQ", unit_price=Decimal("35.50")),
        LineInput(description="Gros œuvre", quantity=Decimal("1"), unit_price=Decimal("48000")),
    ])
situation_issue(situation=situation_record(contract=construction, by=user, progress=[
    ProgressInput(line=line, percent=Decimal("30")) for line in construction.lines.all()]), by=user)
situation = situation_record(contract=construction, by=user, progress=[
    ProgressInput(line=construction.lines.get(position=1), quantity_done=Decimal("80"))])
from facturier.projects.models import Project
from facturier.timesheets.rates import rate_rule_create
from facturier.timesheets.services import entry_decide, entry_submit, time_entry_create
time_project = Project.objects.create(entity=entity, customer=customer, reference="TM-E2E", name="Régie",
                                 start_date=dt.date(2025, 1, 1))
rate_rule_create(entity=entity, by=None, hourly_rate=Decimal("95.00"))
for minutes, approve in ((50, True), (95, False)):
    entry = time_entry_create(entity=entity, project=time_project, person=paul, by=paul, date=dt.date(2025, 1, 6),
                              minutes=minutes, task="Audit", description="Atelier")
    entry_submit(entry=entry, by=paul)
    if approve:
        entry_decide(entry=entry, by=user, approve=True)
from facturier.billing.runs import billing_run_start
from facturier.billing.services import ItemData, contract_create
contract = contract_create(entity=entity, customer=customer, by=None, reference="E2E-SAAS", start_date=dt.date(2025, 1, 1),
                           items=[ItemData(description="Abonnement", unit_price=Decimal("49.00"))])
billing_run = billing_run_start(entity=entity, day=dt.date(2025, 2, 1), by=None, approval=True)
ids = dict(
    construction=construction.pk, situation=situation.pk,
    contract=contract.pk, billing_run=billing_run.pk,
    customer=customer.pk, contact=contact.pk, product=product.pk, draft=draft.pk, quote=quote.pk,
    pending=pending.pk, issued=issued.pk, received=received.pk, mandate=mandate.pk, sepa_file=sepa_file.pk,
    payment=payment.pk, allocation=payment.allocations.get().pk,
    bank_line=bank_line.pk, segment=segment.pk, price_list=price_list.pk, price_list_item=price_list_item.pk,
    discount=discount.pk, promotion=promotion.pk,
    series=NumberingSeries.objects.filter(entity=entity).first().pk,
    membership=Membership.objects.get(entity=entity, user=paul).pk,
    enrolled=Membership.objects.get(entity=entity, user=hugo).pk,
    locked=Membership.objects.get(entity=entity, user=jules).pk,
    pay_token=pay_token(issued),
    project=project.pk, project_milestone=project_milestone.pk, project_acceptance=project_acceptance.pk,
)
Path(os.environ["FACTURIER_DATA_DIR"], "ids.json").write_text(json.dumps({{k: str(v) for k, v in ids.items()}}))
"""


def read_ids(data_dir: Path) -> dict[str, str]:
    ids: dict[str, Any] = json.loads((data_dir / "ids.json").read_text())
    return ids


__all__ = ["FILES", "NOT_PAGES", "PAGES", "SETUP", "Page", "read_ids", "server"]
