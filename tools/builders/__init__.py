"""Builders of the shipped data (``make dictionaries``, ``make channel``) and of the sample scans."""
