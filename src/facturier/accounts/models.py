"""Legal entities (the tenants), memberships with a role, and API keys."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from facturier.accounts.roles import Role, scopes_grant
from facturier.common.models import BaseModel


class EinvoiceSyntax(models.TextChoices):
    """The XML an entity's invoices are issued in: CII (inside a Factur-X PDF) or UBL."""

    CII = "cii", _("Factur-X / CII")
    UBL = "ubl", _("UBL 2.1")


class FacturxProfile(models.TextChoices):
    """Factur-X profiles valid for the French reform (EN 16931 by default, EXTENDED on request)."""

    EN16931 = "EN16931", "EN 16931 (Comfort)"
    EXTENDED = "EXTENDED", "EXTENDED"


class TwoFactorPolicy(models.TextChoices):
    """Who must sign in with a second factor (a TOTP code) to work in an entity.

    Administrators and accountants can issue invoices, change bank details and manage members: a stolen
    password alone must not be enough for them. A user bound by any of their memberships enrolls before
    they can work anywhere (accounts.two_factor).
    """

    OPTIONAL = "optional", _("Optional for everyone")
    ADMINS_AND_ACCOUNTANTS = "admins_accountants", _("Required for administrators and accountants")
    EVERYONE = "everyone", _("Required for every member")


class LegalEntity(BaseModel):
    """A company invoicing through Facturier. Every business row belongs to one."""

    name = models.CharField(_("company name"), max_length=200)
    legal_form = models.CharField(_("legal form"), max_length=50, blank=True, help_text="SAS, SARL, SA...")
    share_capital = models.DecimalField(
        _("share capital"), max_digits=20, decimal_places=2, null=True, blank=True
    )
    siren = models.CharField("SIREN", max_length=9, blank=True)
    siret = models.CharField("SIRET", max_length=14, blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    rcs = models.CharField("RCS", max_length=100, blank=True, help_text="RCS Paris 123 456 789")
    address_line1 = models.CharField(_("address"), max_length=200)
    address_line2 = models.CharField(_("address (continued)"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=20)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country"), max_length=2, default="FR")
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    website = models.URLField(_("website"), blank=True)
    iban = models.CharField("IBAN", max_length=34, blank=True)
    bic = models.CharField("BIC", max_length=11, blank=True)
    logo = models.FileField(_("logo"), upload_to="logos/", blank=True)
    default_currency = models.CharField(_("default currency"), max_length=3, default="EUR")
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Paris")
    electronic_address_scheme = models.CharField(_("e-invoicing address scheme"), max_length=10, blank=True)
    electronic_address = models.CharField(_("e-invoicing address"), max_length=100, blank=True)
    requires_approval = models.BooleanField(_("invoices require approval"), default=False)
    vat_on_debits = models.BooleanField(_("VAT on debits option"), default=False)
    late_penalty_rate = models.CharField(
        _("late-payment penalty"), max_length=200, default="3 fois le taux d'intérêt légal"
    )
    early_payment_discount = models.CharField(
        _("early-payment discount"), max_length=200, default="Pas d'escompte pour paiement anticipé"
    )
    einvoice_syntax = models.CharField(
        _("e-invoice format"), max_length=3, choices=EinvoiceSyntax.choices, default=EinvoiceSyntax.CII
    )
    facturx_profile = models.CharField(
        _("Factur-X profile"), max_length=10, choices=FacturxProfile.choices, default=FacturxProfile.EN16931
    )
    brand_color = models.CharField(_("brand colour"), max_length=7, default="#1f4e79")
    footer_text = models.TextField(_("document footer"), blank=True)
    two_factor_policy = models.CharField(
        _("two-factor authentication"),
        max_length=20,
        choices=TwoFactorPolicy.choices,
        default=TwoFactorPolicy.OPTIONAL,
    )
    send_payment_receipts = models.BooleanField(
        _("email a receipt when an invoice is paid"),
        default=True,
        help_text=_("The customer receives a receipt, in the invoice's language, once it is paid in full."),
    )

    class Meta:
        verbose_name = _("legal entity")
        verbose_name_plural = _("legal entities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(BaseModel):
    """A user's role in one legal entity. A user sees only the entities they are a member of."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    entity = models.ForeignKey(LegalEntity, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "entity"], name="one_role_per_user_and_entity")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.entity} ({self.role})"


class ApiKey(BaseModel):
    """A bearer token for the REST API, bound to one entity with a set of scopes.

    Only a SHA-256 digest of the secret is stored; the full key is shown once at creation.
    """

    entity = models.ForeignKey(LegalEntity, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    digest = models.CharField(max_length=64)
    scopes = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def digest_of(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    def has_scope(self, scope: str) -> bool:
        """`write` and `approve` each imply `read` of their resource; neither implies the other."""
        return scopes_grant(set(self.scopes), scope)


class LoginThrottle(BaseModel):
    """Recent failed sign-ins of one account name or one client address, and its lock.

    One row per (scope, key), updated in place: counting never reads a growing history, and every web
    worker sees the same counts. The key is a keyed digest (accounts/login_guard.py), so neither the
    usernames people mistype (sometimes their password) nor client addresses are stored in clear.
    Single failures are not audited; locks and unlocks are.
    """

    class Scope(models.TextChoices):
        ACCOUNT = "account", _("account")
        ADDRESS = "address", _("address")
        API_ADDRESS = "api_address", _("API address")

    scope = models.CharField(max_length=12, choices=Scope.choices)
    key = models.CharField(max_length=64)
    failures = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField()
    last_failure_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)
    # consecutive locks: each one lasts twice the previous (a quiet day starts again from the first)
    lockouts = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="one_login_throttle_per_key")]
        indexes = [models.Index(fields=["last_failure_at"], name="login_throttle_last_failure")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key[:8]}"
