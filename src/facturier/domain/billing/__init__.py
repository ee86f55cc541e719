"""Billing arithmetic: periods, pricing and exact daily proration (pure Python, no Django).

- :mod:`.periods`: billing frequencies (monthly, quarterly, yearly or any RFC 5545 rule), calendar or
  anniversary alignment, in advance or in arrears, trials; periods are half-open date ranges
  ``[start, end)`` that tile time with no gap and no overlap.
- :mod:`.pricing`: flat, per unit, tiered (graduated) and volume prices of one full period.
- :mod:`.proration`: the exact (rational) amount of any part of a period, billed day by day, and the
  rounding allocation that keeps every cent: see :func:`.proration.allocate`.
"""
