"""Printed documents: invoices, credit notes, quotes and orders as PDF (Factur-X for invoices)."""
