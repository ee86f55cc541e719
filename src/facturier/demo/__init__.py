"""The demo company: a deterministic, realistic history of two years of quotes, invoices and payments.

Loaded by `facturier demo` (the `load_demo` management command) through the same services as the
product itself, so every demo document is numbered, sealed and audited like a real one.
"""
