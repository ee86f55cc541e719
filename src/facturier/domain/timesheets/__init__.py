"""Pure rules of time and expenses: which rate applies, how time is rounded, how expenses are marked up."""
