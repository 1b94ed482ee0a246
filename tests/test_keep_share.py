"""How likely an unknown token is meant as written follows the regimes that could have written it."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from diacritics.channel import ChannelMixture, ComponentChannel, ExactChannel, StrippedChannel
from diacritics.restorer import Restorer


def _mixture(weights: dict[str, float]) -> ChannelMixture:
    components: list[ComponentChannel] = [
        ExactChannel(),
        StrippedChannel(),
        ExactChannel(name="vie"),
        ExactChannel(name="eng"),
    ]
    return ChannelMixture(components, [weights[c.name] for c in components])


def test_accented_tokens_cannot_come_from_stripped_text() -> None:
    restorer = Restorer.default()
    source = restorer.candidate_source
    kappa = restorer.settings.tuning.keep_unknown_by_regime["eng"]
    mixture = _mixture({"exact": 0.0, "stripped": 0.6, "vie": 0.0, "eng": 0.4})
    # "gidm": a name in stripped text, or mangled English-model OCR
    assert math.exp(source.keep_share(mixture, "gidm")) == pytest.approx(0.6 + 0.4 * kappa, rel=1e-3)
    # "huyén" has an accent, "¢" is a symbol: stripped text is ASCII, only the English-model regime is left
    accented = restorer.settings.tuning.accented_unknown_by_regime["eng"]
    assert math.exp(source.keep_share(mixture, "huyén")) == pytest.approx(accented, rel=1e-3)
    assert math.exp(source.keep_share(mixture, "¢")) == pytest.approx(kappa, rel=1e-3)
    # nor digits or ASCII symbols inside a word: stripped text's unknown words are letters only
    for token in ("c6", "x&", "val00"):
        assert math.exp(source.keep_share(mixture, token)) == pytest.approx(kappa, rel=1e-3), token


def test_accented_names_in_correct_text_are_kept_as_before() -> None:
    restorer = Restorer.default()
    source = restorer.candidate_source
    mixture = _mixture({"exact": 0.97, "stripped": 0.01, "vie": 0.01, "eng": 0.01})
    accented = restorer.settings.tuning.accented_unknown_by_regime["eng"]
    expected = (0.97 + 0.01 + 0.01 * accented) / 0.99
    assert math.exp(source.keep_share(mixture, "Nặm")) == pytest.approx(expected, rel=1e-9)


def test_lower_case_unknown_words_are_rarely_stripped_text_names() -> None:
    restorer = Restorer.default()
    source = restorer.candidate_source
    kappa = restorer.settings.tuning.keep_unknown_by_regime["eng"]
    lower = restorer.settings.tuning.lowercase_unknown_in_stripped
    mixture = _mixture({"exact": 0.0, "stripped": 0.6, "vie": 0.0, "eng": 0.4})
    share = math.exp(source.keep_share(mixture, "gidm", lowercase=True))
    assert share == pytest.approx(0.6 * lower + 0.4 * kappa, rel=1e-3)
    assert share < math.exp(source.keep_share(mixture, "gidm"))  # "Gidm": a name, as likely as before


def test_the_written_case_reaches_the_keep_share() -> None:
    restorer = Restorer.default()
    source = restorer.candidate_source
    mixture = _mixture({"exact": 0.0, "stripped": 0.6, "vie": 0.0, "eng": 0.4})
    keeps = {}
    for text in ("gidm", "Gidm", "GIDM"):
        kept = [c for c in source.candidates(text, "gidm", mixture, 0.0) if c.reason.startswith("kept")]
        keeps[text] = kept[0].channel
    assert keeps["gidm"] < keeps["Gidm"] == keeps["GIDM"]


def test_accented_unknown_tokens_of_english_model_ocr_are_rarely_as_written() -> None:
    # the English-model engine writes accents only by mangling a Vietnamese letter (riêng -> "riéng")
    restorer = Restorer.default()
    source = restorer.candidate_source
    mixture = _mixture({"exact": 0.0, "stripped": 0.0, "vie": 0.0, "eng": 1.0})
    ascii_share = math.exp(source.keep_share(mixture, "gidm"))
    accented_share = math.exp(source.keep_share(mixture, "riéng"))
    assert accented_share < ascii_share / 10
    # in correct text an accented unknown word (a French name) is as likely kept as an ASCII one
    correct = _mixture({"exact": 1.0, "stripped": 0.0, "vie": 0.0, "eng": 0.0})
    assert source.keep_share(correct, "napoléon") == source.keep_share(correct, "gidm") == 0.0


def test_a_line_of_english_model_ocr_reads_riéng_as_riêng() -> None:
    restorer = Restorer.default()
    assert "riêng" in restorer.restore_text("chuan nghéo tiép can da chiéu, riéng cdc huyén nghéo c6 ty 1é")


def test_accented_unknown_tokens_of_an_english_model_page_are_read_as_syllables() -> None:
    text = (
        "Thuc hién cac hoat dong truyén thong vé bao vé, chim séc tré em trén dja ban huyén.\n"
        "Hudng dan, chi dao cac x4, thi tran trién khai xay dung va td chirc thuc hién ké hoach.\n"
        "Ty 1é that nghiép cia lao dong trong do tudéi 6 khu vuc thanh thi gidm so véi nam trudc.\n"
        "Tang cudng céng tac kiém tra, giam sat viéc thuc hién chinh sach, phap luat vé tré em.\n"
        "Phéi hop véi cac co quan, don vi lién quan t6 chirc tap huan cho doi ngii can bo."
    )
    restorer = Restorer.default()
    assert "trong độ tuổi ở khu vực" in restorer.restore_text(text)
    # at the ASCII tokens' rate "tudéi" is kept as written
    ascii_rate = restorer.settings.with_tuning(accented_unknown_by_regime={})
    assert "tudéi" in restorer.with_settings(ascii_rate).restore_text(text)


def test_unmarked_names_after_a_word_are_found() -> None:
    from diacritics.regime import unmarked_names
    from diacritics.tokens import tokenize

    lines = [
        "Quyết định bổ nhiệm bà Nguyễn Thị Hải Nhung giữ chức",
        "HOẠT ĐỘNG Dieu 1. Xã Bang Mac, ông Tran Van",
        "Binh và Lan",
    ]
    tokenised = [tokenize(line) for line in lines]
    found = unmarked_names(tokenised)
    names = [t.text for no, toks in enumerate(tokenised) for t in toks if (no, t.start) in found]
    # marked names stay in (evidence of a marked text); after a heading in capitals, punctuation or a number
    # a new sentence may begin; a wrapped line goes on with the line before
    assert names == ["Nhung", "Bang", "Mac", "Tran", "Van", "Binh", "Lan"]


def test_an_unmarked_name_in_correct_text_is_kept() -> None:
    restorer = Restorer.default()
    off = restorer.with_settings(restorer.settings.with_tuning(gates={"names_left_out_of_fit": math.inf}))
    for text in (
        "Quyết định bổ nhiệm bà Nguyễn Thị Hải Nhung giữ chức Vụ trưởng",
        "Quyết định bổ nhiệm bà Nguyễn Thị Hải\nNhung giữ chức Vụ trưởng",  # a wrapped line
    ):
        assert restorer.restore_text(text) == text
        assert off.restore_text(text) != text  # the stripped regime the name alone gave the fit


def test_a_stripped_text_is_fitted_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from diacritics import regime

    restorer = Restorer.default()
    calls = []
    fit = regime.fit_mixture

    def counting(source: object, table: object, tokens: list[str]) -> object:
        calls.append(len(tokens))
        return fit(source, table, tokens)  # type: ignore[arg-type]

    monkeypatch.setattr(regime, "fit_mixture", counting)  # undone after
    restorer.restore_text("Ong Nguyen Van Binh, Chu tich Uy ban nhan dan xa Bang Mac")
    assert len(calls) == 1
    restorer.restore_text("Ông Nguyễn Văn An, Chủ tịch Ủy ban nhân dân xã Đắc Lua")
    assert len(calls) == 3  # a marked text with a name: fitted again without it


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kết quả công tác của Đảng, Nhà nước, tổ chứ", "Kết quả công tác của Đảng, Nhà nước, tổ chứ"),
        ("Thu nhập bình quân đầ\n", "Thu nhập bình quân đầ\n"),
        ("Chủ nhiệm Văn phòng Chính ph", "Chủ nhiệm Văn phòng Chính ph"),
        ("Kết quả công tác của Đảng, Nhà nước, tổ chứ...", "Kết quả công tác của Đảng, Nhà nước, tổ chứ..."),
        ("Kết quả công tác của Đảng, Nhà nước, tổ chứ…\n", "Kết quả công tác của Đảng, Nhà nước, tổ chứ…\n"),
        # inside the text the word is completed as before; a stripped last word is still restored
        ("Kết quả công tác của tổ chứ năm 2021", "Kết quả công tác của tổ chức năm 2021"),
        ("cong tac bao ve, cham soc tre", "công tác bảo vệ, chăm sóc trẻ"),
        ("Ke hoach nay do phong Noi vu to chuc", "Kế hoạch này do phòng Nội vụ tổ chức"),
    ],
)
def test_a_text_cut_mid_word_keeps_its_last_word(text: str, expected: str) -> None:
    assert Restorer.default().restore_text(text) == expected


def test_completing_the_cut_last_word_can_be_switched_on() -> None:
    restorer = Restorer.default()
    on = restorer.with_settings(replace(restorer.settings, cut_final_word_completed=True))
    assert on.restore_text("Kết quả công tác của Đảng, Nhà nước, tổ chứ").endswith("tổ chức")
