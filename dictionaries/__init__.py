"""Shipped language data for vnocr (syllable inventory, n-gram language models); see README.md here.

The files are package data read through :mod:`diacritics.resources`; rebuild them with ``make dictionaries``.
"""
