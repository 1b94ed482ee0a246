"""The registry of the shipped language data: every data file by kind, content and size, and its readers.

The data folder is the ``dictionaries`` package (or ``$VNOCR_DATA_DIR``, used by tests and by the builds);
nothing here reads ``../shared``. It holds one sub-folder per kind:

* ``lm/`` — the trigram language model (manifest, vocabularies, n-gram arrays);
* ``lexicon/`` — syllable inventory, case and abbreviation tables, common English words;
* ``channel/`` — the OCR channel tables of Tesseract ``eng`` and ``vie``;
* ``precomputed/`` — scores computed from the above at build time, a cache each of whose readers uses it
  only when it was made from the data and settings in use (a fingerprint), else computes the scores.

**Format tags.** Every file carries a tag ``vnocr-<name>/<version>``: a JSON file in its ``"format"`` field, a
text file as its first line ``# <tag>: <description>``. Arrays and vocabularies carry none: they are parts of
the tagged file that lists them (``index``). A reader accepts only the version it knows: a file of another
version raises :class:`StaleDataError`, anything else unreadable :class:`~diacritics.errors.DataError` (both
exit code 6: rebuild with ``make dictionaries``).

Every file is registered in :data:`FILES`; ``tests/test_resources.py`` checks that the folder holds exactly
these files, each within its size, and the builders in ``tools/builders/`` write them at these paths.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import DataError

if TYPE_CHECKING:
    import numpy as np

#: Environment variable naming a folder that replaces the packaged ``dictionaries/``.
DATA_DIR_ENV = "VNOCR_DATA_DIR"
#: Largest file the package may ship.
MAX_FILE_BYTES = 30_000_000
#: The OCR engines with channel tables.
ENGINES = ("eng", "vie")
#: The arrays of each language-model component (see :mod:`diacritics.lm`).
LM_ARRAYS = ("uni_lp", "uni_bo", "bi_keys", "bi_lp", "bi_bo", "tri_keys", "tri_lp")
#: The language-model components: name → source.
LM_COMPONENTS = {"vi_legal_3gram": "legal text", "vi_wiki_3gram": "Vietnamese Wikipedia"}

_KB, _MB = 1_000, 1_000_000


@dataclass(frozen=True)
class DataFile:
    """One shipped data file.

    Attributes:
        path: Path inside the data folder (``"lm/lm_manifest.json"``); its first part is the kind.
        content: What it holds, in a few words.
        max_bytes: Its size bound (every file is below :data:`MAX_FILE_BYTES`).
        tag: The format tag it carries (``"vnocr-lm/2"``), or None for a part of ``index``.
        index: For a part (an array, a vocabulary): the tagged file that lists it.
    """

    path: str
    content: str
    max_bytes: int
    tag: str | None = None
    index: str | None = None

    @property
    def kind(self) -> str:
        """``lm``, ``lexicon``, ``channel`` or ``precomputed``."""
        return self.path.split("/", 1)[0]


LM_MANIFEST = "lm/lm_manifest.json"
LM_SUMMARY = "lm/build_summary.json"
LEGAL_VOCAB = "lm/vi_legal_vocab.txt"
WIKI_VOCAB = "lm/vi_wiki_vocab.txt"
LEGAL_SYLLABLES = "lexicon/vi_legal_syllables.tsv"
WIKI_SYLLABLES = "lexicon/vi_wiki_syllables.tsv"
CASE_TABLE = "lexicon/vi_legal_case.json"
ABBREVIATIONS = "lexicon/vi_legal_abbreviations.tsv"
ENGLISH_WORDS = "lexicon/en_common_words_20k.txt"
DOMAIN_LEXICON = "lexicon/vi_domain_lexicon.txt"
SCORES_INDEX = "precomputed/token_scores_index.json"
SCORES_READINGS = "precomputed/token_scores_readings.npy"
REGIME_INDEX = "precomputed/regime_scores.json"
REGIME_SCORES = "precomputed/regime_scores.npy"
VIE_MARK_SLIPS = "channel/vie_mark_slips.json"


def lm_array(component: str, array: str) -> str:
    """Registry path of one array of a language-model component (``lm/vi_wiki_3gram.tri_keys.npy``)."""
    return f"lm/{component}.{array}.npy"


def channel_table(engine: str, kind: str = "char_channel") -> str:
    """Registry path of an OCR table of ``engine``: ``kind`` is ``char_channel`` or ``token_confusions``."""
    return f"channel/{engine}_{kind}.json"


def engine_scores(engine: str) -> str:
    """Registry path of an engine's precomputed channel scores."""
    return f"precomputed/{engine}_token_scores.npy"


def _registry() -> dict[str, DataFile]:
    lm = LM_MANIFEST
    files = [
        DataFile(LM_MANIFEST, "LM key packing, vocabulary, λ, arrays", 20 * _KB, "vnocr-lm/2"),
        DataFile(LM_SUMMARY, "the last LM build's figures", 20 * _KB, "vnocr-lm-build-summary/1"),
        DataFile(LEGAL_VOCAB, "LM vocabulary of the legal text", 200 * _KB, index=lm),
        DataFile(WIKI_VOCAB, "LM vocabulary only Wikipedia has", 2 * _MB, index=lm),
        DataFile(LEGAL_SYLLABLES, "syllables, known tokens, legal counts", 500 * _KB, "vnocr-syllables/1"),
        DataFile(WIKI_SYLLABLES, "syllables, Wikipedia counts", 500 * _KB, "vnocr-syllables/1"),
        DataFile(CASE_TABLE, "capitalisation after a lower-case word", 5 * _MB, "vnocr-case/1"),
        DataFile(ABBREVIATIONS, "capital runs with Đ, counted", 50 * _KB, "vnocr-abbreviations/2"),
        DataFile(ENGLISH_WORDS, "20,000 frequent English words", 500 * _KB, "vnocr-english-words/1"),
        DataFile(DOMAIN_LEXICON, "the project's domain phrases, counted", 2 * _MB, "vnocr-domain-lexicon/1"),
        DataFile(SCORES_INDEX, "precomputed tokens and readings", 2 * _MB, "vnocr-ocr-token-scores/1"),
        DataFile(SCORES_READINGS, "each precomputed token's readings", 10 * _MB, index=SCORES_INDEX),
        DataFile(REGIME_INDEX, "regimes and fingerprint of the rows", 10 * _KB, "vnocr-regime-scores/3"),
        DataFile(REGIME_SCORES, "regime-fit row of each indexed token", 2 * _MB, index=REGIME_INDEX),
        DataFile(VIE_MARK_SLIPS, "vie mark slips, counted", 100 * _KB, "vnocr-vie-mark-slips/1"),
    ]
    for component, source in LM_COMPONENTS.items():
        for array in LM_ARRAYS:
            bound = 24 * _MB if array == "tri_keys" else 8 * _MB
            files.append(DataFile(lm_array(component, array), f"LM {array}, {source}", bound, index=lm))
    for engine in ENGINES:
        files += [
            DataFile(
                channel_table(engine), f"{engine} character channel", 2 * _MB, "vnocr-ocr-char-channel/1"
            ),
            DataFile(
                channel_table(engine, "token_confusions"),
                f"{engine} token confusions",
                2 * _MB,
                "vnocr-ocr-token-confusions/1",
            ),
            DataFile(
                engine_scores(engine), f"{engine} scores of the indexed pairs", 10 * _MB, index=SCORES_INDEX
            ),
        ]
    return {f.path: f for f in files}


#: Every shipped data file by its path in the data folder.
FILES: dict[str, DataFile] = _registry()


def tag_of(name: str) -> str:
    """The format tag of a registered tagged file."""
    tag = FILES[name].tag
    if tag is None:
        raise ValueError(f"{name} carries no format tag (it is a part of {FILES[name].index})")
    return tag


class StaleDataError(DataError):
    """A data file of another format version than this code reads (made by another vnocr)."""


def data_dir() -> Path:
    """The folder holding the shipped data files.

    Raises:
        DataError: The ``dictionaries`` package cannot be found.
    """
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override)
    try:
        return Path(str(resources.files("dictionaries")))
    except (ModuleNotFoundError, TypeError) as exc:  # pragma: no cover - broken installation
        raise DataError(f"the vnocr data package 'dictionaries' is not installed: {exc}") from exc


def locate(name: str, folder: Path | None = None) -> Path:
    """Path of a registered data file (it need not exist).

    Args:
        name: Its registry path (``"lm/lm_manifest.json"``).
        folder: The data folder; :func:`data_dir` when None.

    Raises:
        DataError: ``name`` is not a registered data file.
    """
    if name not in FILES:
        raise DataError(f"{name!r} is not a vnocr data file")
    return (data_dir() if folder is None else Path(folder)) / name


def data_path(name: str, folder: Path | None = None) -> Path:
    """Path of a registered data file, which exists.

    Raises:
        DataError: The file is not registered, or missing.
    """
    path = locate(name, folder)
    if not path.is_file():
        raise DataError(f"language data file {name} is missing from {path.parents[1]}")
    return path


def read_text(name: str, folder: Path | None = None) -> str:
    """The text of a registered data file.

    Raises:
        DataError: The file is missing or unreadable.
    """
    path = locate(name, folder)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError(f"language data file {name} is missing from {path.parents[1]}") from None
    except (OSError, ValueError) as exc:
        raise DataError(f"language data file {name} cannot be read: {exc}") from exc


def check_tag(name: str, found: object) -> None:
    """Check the format tag found in a file against the registry's.

    Raises:
        StaleDataError: It is the tag of another version of this format.
        DataError: It is no tag of this format (another kind of file, or none).
    """
    expected = FILES[name].tag
    if found == expected:
        return
    family = (expected or "").rpartition("/")[0]
    if isinstance(found, str) and found.rpartition("/")[0] == family:
        raise StaleDataError(f"{name} has format {found}, this vnocr reads {expected}")
    raise DataError(f"{name} is not a {family} file (format {found!r}, expected {expected})")


def parse_json(name: str, text: str) -> dict[str, Any]:
    """A tagged JSON data file's object, its tag checked.

    Raises:
        DataError: It is not a JSON object of this format (:class:`StaleDataError`: of another version).
    """
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise DataError(f"language data file {name} cannot be read: {exc}") from exc
    if not isinstance(data, dict):
        raise DataError(f"language data file {name} is corrupt (not a JSON object)")
    check_tag(name, data.get("format"))
    return data


def read_json(name: str, folder: Path | None = None) -> dict[str, Any]:
    """:func:`parse_json` of a registered file.

    Raises:
        DataError: The file is missing, unreadable or of another format (:class:`StaleDataError`: version).
    """
    return parse_json(name, read_text(name, folder))


def text_header(tag: str, description: str) -> str:
    """The first line of a tagged text file, without its line end."""
    return f"# {tag}: {description}"


def read_lines(name: str, folder: Path | None = None) -> list[str]:
    """The lines of a tagged text file after its tag line (split at ``\\n`` only; the last line end removed).

    Raises:
        DataError: The file is missing, unreadable or of another format (:class:`StaleDataError`: version).
    """
    lines = read_text(name, folder).split("\n")
    if lines[-1] == "":
        lines.pop()
    first = lines[0] if lines else ""
    check_tag(name, first[2:].partition(":")[0] if first.startswith("# ") else None)
    return lines[1:]


def load_array(name: str, folder: Path | None = None) -> np.ndarray:
    """A registered ``.npy`` part, memory-mapped (its shape and dtype are checked by its index's reader).

    Raises:
        DataError: The file is missing or not an array.
    """
    import numpy as np  # the readers that need arrays import numpy anyway

    path = locate(name, folder)
    try:
        array: np.ndarray = np.load(path, mmap_mode="r", allow_pickle=False)
    except FileNotFoundError:
        raise DataError(f"language data file {name} is missing (make dictionaries builds it)") from None
    except (OSError, ValueError, EOFError) as exc:
        raise DataError(f"language data file {name} is corrupt: {exc}") from exc
    return array
