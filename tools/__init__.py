"""Build and benchmark scripts run by the Makefile (not shipped in the wheel)."""
