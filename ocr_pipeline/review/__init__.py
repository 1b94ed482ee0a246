"""``vnocr review``: a local web app over a batch's outputs to check the flagged words and correct them.

- :mod:`.folder`: the batch output folder (documents by id, their records, the lock, output writing);
- :mod:`.corrections`: ``corrections.jsonl`` (append-only, atomic), applying corrections to the outputs,
  re-applying them after a re-run, and the domain lexicon ``lexicon.txt`` they feed;
- :mod:`.flags`: the review queue (flagged words, least confident first, with their place on the page);
- :mod:`.pages`: page images rendered once and cached under ``OUTPUT_DIR/.review/``;
- :mod:`.app`: the HTTP app (JSON API and the static page in ``static/``).
"""

from __future__ import annotations

from .corrections import reapply_corrections

__all__ = ["reapply_corrections"]
