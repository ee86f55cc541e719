"""Signals of the accounts app, for the apps above it (which accounts must not import).

``entity_created`` is sent by ``accounts.services.entity_create`` inside its transaction, before the
creation is audited; receivers set up what every legal entity needs (invoicing: its default numbering
series) and an exception in one rolls the creation back. Receivers connect in their ``AppConfig.ready``.
"""

from django.dispatch import Signal

entity_created = Signal()  # sender: LegalEntity; entity=<LegalEntity>
