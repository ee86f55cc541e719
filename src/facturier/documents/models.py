"""The files an issued document was issued as, kept byte for byte (DESIGN.md convention 12).

A row names the bytes in the `issued` storage and carries their size and SHA-256. The XML files are
written in the issuing transaction and their hashes enter the document's seal; the Factur-X PDF is
rendered afterwards by a task (it embeds the stored CII byte for byte), so its hash is checked by
`facturier audit verify` against the file, and the XML inside it against the sealed CII.
Rows and files are write-once: never updated, never overwritten.
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class FileKind(models.TextChoices):
    CII = "cii", _("CII XML")
    UBL = "ubl", _("UBL XML")
    PEPPOL = "peppol", _("PEPPOL BIS 3 UBL XML")
    FACTURX = "facturx", _("Factur-X PDF")
    LOGO = "logo", _("logo at issue")


# Written at issue, before the seal: their hashes are part of the sealed content.
SEALED_KINDS = (FileKind.CII, FileKind.UBL, FileKind.PEPPOL, FileKind.LOGO)


class StoredFileImmutable(Exception):
    """A stored file's row is written once; changing it would orphan or hide bytes."""


class StoredFile(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    entity = models.ForeignKey("accounts.LegalEntity", on_delete=models.PROTECT, related_name="+")
    document = models.ForeignKey("invoicing.Document", on_delete=models.PROTECT, related_name="stored_files")
    kind = models.CharField(_("kind"), max_length=10, choices=FileKind.choices)
    # A logo's bytes are shared by the documents issued with it; every other name is one document's.
    name = models.CharField(_("storage name"), max_length=255, db_index=True)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    validated = models.BooleanField(
        _("validated at issue"), default=False, help_text=_("Passed the official rules when issued.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("stored file")
        verbose_name_plural = _("stored files")
        constraints = [
            models.UniqueConstraint(fields=["document", "kind"], name="documents_one_file_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.sha256[:12]})"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not self._state.adding:
            raise StoredFileImmutable(f"stored file {self.name} is write-once")
        super().save(*args, **kwargs)
