"""``{% validation_rules_status as rules %}``: the installed rule sets, for the company page include
(a tag rather than view context, so the page's view and layout stay untouched)."""

from django import template

from facturier.conformance.status import RulesStatus, rules_status
from facturier.invoicing.einvoice import artefact_store

register = template.Library()


@register.simple_tag
def validation_rules_status() -> RulesStatus:
    return rules_status(artefact_store().root)
