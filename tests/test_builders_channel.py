"""The channel builders (tools/builders/channel*.py): the token table, the channel sets' page records, the
README section the build writes."""

from __future__ import annotations

from collections import Counter

import pytest

from tools.builders.channel_learn import Collected, token_table
from tools.builders.channel_sets import PageRecord


def test_token_table_counts_and_prunes() -> None:
    col = Collected(pages=1, pairs=Counter({("cia", "của"): 3, ("sb", "số"): 1, ("val00%", "và 100%"): 2}))
    table = token_table(col, "eng", min_count=2)
    assert table["confusions"] == {"cia": {"của": 3}, "val00%": {"và 100%": 2}}
    assert table["intended_totals"] == {"của": 3, "và 100%": 2}


def test_page_record_confidences() -> None:
    rec = PageRecord("d-p1", "dejavu-serif", 300, 13.0, {}, ["a b"], ["a b"], [["a", 91.0], ["b", 12]])
    assert rec.confidences == [91.0, 12.0]


def test_the_build_rewrites_only_its_readme_section() -> None:
    from tools.builders.channel import README_SECTION, replace_section

    text = (
        "# Data\n\nprose\n<!-- channel-tables: written by a build -->\nold\nfigures\n"
        "<!-- /channel-tables -->\nafter\n"
    )
    new = replace_section(text, README_SECTION, "new figures")
    assert new == text.replace("old\nfigures\n", "new figures\n")
    assert replace_section(new, README_SECTION, "new figures") == new
    with pytest.raises(ValueError, match="no 'channel-tables' section"):
        replace_section("# Data\n", README_SECTION, "x")
