"""Edit-distance look-up of syllable skeletons (symspellpy), for tokens the OCR channel's search misses.

The learned channel's skeleton search (:meth:`~diacritics.ocr_channel.CharChannel.skeleton_keys`) proposes the
skeletons an OCR token most likely comes from, under the learned confusions and a beam. A token mangled in a
way the training OCR rarely showed (``img`` for ``ứng``, ``Thuye`` for ``Thực``) can fall outside its answers;
a plain edit-distance look-up over the same skeletons, most frequent first, covers those. Its readings are
scored by the same channel mixture and LM as every other reading, so the look-up only adds candidates.
"""

from __future__ import annotations

import math
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from symspellpy import SymSpell

from .syllables import SyllableInventory, syllable_key

#: Largest edit distance looked up (symspellpy's pre-computed deletes go this deep).
MAX_EDIT_DISTANCE = 2
#: symspellpy takes integer counts: relative frequencies are scaled by this before rounding.
_COUNT_SCALE = 1e8


class SkeletonSpeller:
    """The accent-stripped skeletons of an inventory's syllables, looked up by edit distance.

    Built from the inventory on first use (about 1,600 skeletons: a few tens of milliseconds), so it needs
    no data file of its own.
    """

    def __init__(self, inventory: SyllableInventory) -> None:
        from symspellpy import SymSpell  # imported here: only English-model OCR needs it (35 ms to import)

        frequency: dict[str, float] = {}
        for syllable, log_prior in inventory.syllables.items():
            key = syllable_key(syllable)
            frequency[key] = frequency.get(key, 0.0) + math.exp(log_prior)
        self._frequency = frequency
        self._symspell: SymSpell = SymSpell(max_dictionary_edit_distance=MAX_EDIT_DISTANCE, prefix_length=7)
        for key, share in frequency.items():
            self._symspell.create_dictionary_entry(key, max(1, round(share * _COUNT_SCALE)))
        self._lock = threading.Lock()

    def keys(self, key: str, limit: int) -> list[str]:
        """The ``limit`` most frequent skeletons within :data:`MAX_EDIT_DISTANCE` edits of ``key``.

        Args:
            key: An accent-stripped lowercase token (``"img"``); anything but ASCII letters finds nothing.
            limit: How many skeletons to return at most.

        Returns:
            Skeletons, most frequent first (``key`` itself included when it is one).
        """
        if not key or not (key.isascii() and key.isalpha()) or limit <= 0:
            return []
        from symspellpy import Verbosity

        with self._lock:  # symspellpy's look-up is not documented as thread-safe
            found = self._symspell.lookup(key, Verbosity.ALL, MAX_EDIT_DISTANCE)
        terms = sorted((item.term for item in found), key=lambda k: (-self._frequency.get(k, 0.0), k))
        return terms[:limit]

    def nearest(self, key: str, limit: int) -> list[str]:
        """The ``limit`` skeletons nearest ``key`` within :data:`MAX_EDIT_DISTANCE` edits: fewest edits
        first, then most frequent (``key`` itself first when it is one)."""
        if not key or not (key.isascii() and key.isalpha()) or limit <= 0:
            return []
        from symspellpy import Verbosity

        with self._lock:
            found = self._symspell.lookup(key, Verbosity.ALL, MAX_EDIT_DISTANCE)
        ranked = sorted(
            found, key=lambda item: (item.distance, -self._frequency.get(item.term, 0.0), item.term)
        )
        return [item.term for item in ranked[:limit]]
