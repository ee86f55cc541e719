"""Facturier: invoicing and receivables, from quote to cash."""

__version__ = "0.1.0"
