"""The UN/ECE Recommendation 20 unit codes offered in the catalogue (EN 16931 BT-130)."""

from django.utils.translation import gettext_lazy as _

UNIT_CHOICES = [
    ("C62", _("unit")),
    ("H87", _("piece")),
    ("HUR", _("hour")),
    ("DAY", _("day")),
    ("MON", _("month")),
    ("ANN", _("year")),
    ("KGM", _("kilogram")),
    ("MTR", _("metre")),
    ("MTK", _("square metre")),
    ("LTR", _("litre")),
    ("KWH", _("kilowatt hour")),
    ("SET", _("set")),
    ("XPK", _("package")),
]
UNIT_CODES = frozenset(code for code, _label in UNIT_CHOICES)
