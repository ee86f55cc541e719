"""Sending issued invoices to customers (email, Chorus Pro, an approved platform) and following
their lifecycle statuses (CDAR 200 Déposée ... 213 Rejetée)."""
