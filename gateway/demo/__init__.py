"""Demo data: the Met's internal tables rebuilt from real published files."""
