"""Bank statements as plain data: the parsers of every format a bank sends, pure (no Django)."""
