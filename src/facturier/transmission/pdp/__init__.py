"""An approved platform (PA, formerly PDP) through the AFNOR XP Z12-013 Flow Service API."""
