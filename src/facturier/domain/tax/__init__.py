"""VAT engine: one pure module per country (``fr`` for France, DOM and Corsica included)."""
