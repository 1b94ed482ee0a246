"""Text-only structure of an administrative document: layout zones, numbering, sections and metadata.

:func:`.segment.segment_text` turns restored text into a :class:`~.model.Structure`.
"""
