"""Domain words and phrases (diacritics.lexicon): a file format, and restoration that prefers them."""

from __future__ import annotations

from pathlib import Path

from diacritics.lexicon import Lexicon, as_lexicon


def test_lines_with_counts_comments_and_case() -> None:
    lexicon = Lexicon.from_lines(["# domain words", "Đuối nước\t12", "kiện toàn 3", "", "kiện toàn"])
    assert lexicon.entries == {("đuối", "nước"): 12, ("kiện", "toàn"): 4}
    assert lexicon.phrase(["duoi", "nuoc"]) == ("đuối", "nước")
    assert lexicon.phrase(["duoi"]) is None
    assert lexicon.longest == 2


def test_most_counted_phrase_of_a_skeleton_wins() -> None:
    lexicon = Lexicon.from_lines(["kiểm toán\t2", "kiện toàn\t9"])
    assert lexicon.phrase(["kiem", "toan"]) == ("kiểm", "toán")
    assert Lexicon.from_lines(["kiên toàn\t2", "kiện toàn\t9"]).phrase(["kien", "toan"]) == ("kiện", "toàn")


def test_files_merge(tmp_path: Path) -> None:
    one, two = tmp_path / "a.txt", tmp_path / "b.txt"
    one.write_text("đuối nước\t2\n", encoding="utf-8")
    two.write_text("đuối nước\nkiện toàn\n", encoding="utf-8")
    lexicon = Lexicon.load(one, two)
    assert lexicon.entries[("đuối", "nước")] == 3
    assert as_lexicon(str(one)) == Lexicon.load(one)
    assert as_lexicon(None) is None


def test_phrases_are_restored_once_in_the_lexicon() -> None:
    from diacritics import apply_plan, restore, restore_explained

    text = "Tai nan duoi nuoc o tre em; Kien toan Ban chi dao"
    lexicon = ["đuối nước", "kiện toàn"]
    plain = restore(text)
    assert "đuối nước" not in plain
    got = restore(text, lexicon=lexicon)
    assert "đuối nước" in got and "Kiện toàn" in got
    explained = restore_explained(text, lexicon=lexicon)
    assert explained.text == got
    assert apply_plan(text, explained.tokens) == got


def test_correct_text_keeps_its_own_words() -> None:
    from diacritics import restore

    text = "Đơn vị kiểm toán nhà nước đã kiên trì thực hiện kế hoạch."
    assert restore(text, lexicon=["kiện toàn", "kiên tri"]) == text


def test_a_single_word_is_a_reading_not_a_rule() -> None:
    from diacritics import restore

    assert restore("cong tac bao ve tre em", lexicon=["bảo vệ"]) == restore("cong tac bao ve tre em")


def test_cli_restore_takes_a_lexicon(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from ocr_pipeline.cli import main

    words = tmp_path / "words.txt"
    words.write_text("đuối nước\t3\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["restore", "--lexicon", str(words)], input="Tai nan duoi nuoc o tre em\n"
    )
    assert result.exit_code == 0, result.output
    assert "đuối nước" in result.output


def test_domain_overlay_keeps_phrases_their_letters_mean() -> None:
    from tools.builders.domain_lexicon import domain_phrases, lexicon_text, phrase_counts

    texts = ["Phòng chống đuối nước. Trẻ em đuối nước", "Kiện toàn bộ máy, kiện toàn; kiên toàn"]
    phrases = domain_phrases(phrase_counts(texts), min_count=2, dominance=0.9)
    assert phrases[("đuối", "nước")] == 2
    assert ("kiện", "toàn") not in phrases  # 2 of its skeleton's 3: below the dominance
    lines = lexicon_text(phrases, "test").split("\n")
    assert Lexicon.from_lines(lines[1:]).phrase(["duoi", "nuoc"]) == ("đuối", "nước")


def test_the_shipped_overlay_is_a_lexicon_file() -> None:
    from diacritics.resources import DOMAIN_LEXICON, read_lines

    Lexicon.from_lines(read_lines(DOMAIN_LEXICON))  # its tag checks
