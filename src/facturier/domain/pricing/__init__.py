"""Pricing rules as pure functions: which price and which discount apply to one line (no Django)."""
