"""A regime the document's fitted mixture leaves out costs nothing: it is not scored, its confusable forms
are not expanded into the lattice, and its case slips are not looked for."""

from __future__ import annotations

import pytest

from diacritics.channel import ChannelMixture, ComponentChannel, ExactChannel, StrippedChannel
from diacritics.passes import case_slip_probability
from diacritics.restorer import Restorer


def _mixture(weights: dict[str, float], negligible: float) -> ChannelMixture:
    components: list[ComponentChannel] = [
        ExactChannel(),
        StrippedChannel(),
        ExactChannel(name="vie"),
        ExactChannel(name="eng"),
    ]
    return ChannelMixture(components, [weights[c.name] for c in components], negligible=negligible)


def test_weighing_leaves_out_negligible_and_zero_components() -> None:
    mixture = _mixture({"exact": 0.0, "stripped": 0.97, "vie": 0.01, "eng": 0.02}, negligible=0.015)
    assert mixture.weighing == {"stripped": 0.97, "eng": 0.02}
    assert set(mixture.by_name) == {"exact", "stripped", "vie", "eng"}


def test_readings_expand_only_the_engines_asked_for() -> None:
    restorer = Restorer.default()
    every = restorer.readings("chirc")
    assert "chức" in every  # the English model writes ứ as "ir"
    assert "chức" in restorer.readings("chirc", ("eng",))
    assert restorer.readings("chirc", ()) == {}  # no syllable has these letters
    plain = restorer.readings("cong", ())
    assert set(plain.values()) <= {"as written", "same letters"}
    assert {"công", "cộng", "cong"} <= set(plain)
    assert set(plain) < set(restorer.readings("cong"))


def test_a_document_lattice_asks_only_for_the_regimes_it_weighs() -> None:
    restorer = Restorer.default()
    negligible = restorer.settings.tuning.negligible_regime
    stripped = _mixture({"exact": 0.0, "stripped": 0.99, "vie": 0.0, "eng": negligible / 2}, negligible)
    english = _mixture({"exact": 0.0, "stripped": 0.5, "vie": 0.0, "eng": 0.5}, negligible)
    assert "chức" not in restorer.candidate_source.document_readings("chirc", False, stripped)
    assert "chức" in restorer.candidate_source.document_readings("chirc", False, english)


def test_case_slips_are_looked_for_only_in_weighed_regimes() -> None:
    restorer = Restorer.default()
    negligible = restorer.settings.tuning.negligible_regime
    stripped = _mixture({"exact": 0.0, "stripped": 0.99, "vie": 0.0, "eng": negligible / 2}, negligible)
    assert case_slip_probability(restorer, stripped) == 0.0
    english = _mixture({"exact": 0.1, "stripped": 0.1, "vie": 0.3, "eng": 0.5}, negligible)
    expected = 0.3 * restorer.case_slips["vie"] + 0.5 * restorer.case_slips["eng"]
    assert case_slip_probability(restorer, english) == pytest.approx(expected)
