"""Vietnamese text primitives shared by every layer of vnocr: accent folding and Roman numerals.

A leaf package: it imports nothing of the project, so ``diacritics`` and the ``ocr_pipeline`` layers (which
never import each other) use the same code for these.
"""
