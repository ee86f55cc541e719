"""Chorus Pro, the French public sector's invoicing portal, through the PISTE API gateway."""
