"""Shipped language data for vnocr (language model, lexicons, OCR channel tables); see README.md here.

The files are package data read through the registry :mod:`diacritics.resources`; rebuild them with
``make dictionaries``.
"""
