"""Image stages of a page: rasterise, orientation, deskew, cleanup and OCR.

Every stage takes a :class:`~.page.PageImage` and returns a new one. :mod:`.engines` is the only module that
runs Tesseract and poppler.
"""
