"""Invoices sent by email, the Factur-X PDF attached (for customers outside the e-invoicing network)."""
