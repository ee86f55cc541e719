"""Progress invoices (situations de travaux): pure computation of what a situation bills and withholds."""
