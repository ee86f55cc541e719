"""Matching bank lines to open receivables: a pure engine (no Django), fed and stored by `banking`."""
