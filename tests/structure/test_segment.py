"""Segmenter: section tree, paragraphs, end zone, Markdown rendering; golden trees of the dev documents."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from ocr_pipeline.cli import main as cli_main
from ocr_pipeline.render import render_markdown
from ocr_pipeline.structure.model import Section, Structure
from ocr_pipeline.structure.segment import segment_text, split_heading

DATA = Path(__file__).parents[1] / "data"
FIXTURES = DATA / "structure"
GOLD = Path(__file__).parents[1] / "golden" / "structure"


def tree(structure: Structure) -> list[tuple[tuple[str, ...], str, str]]:
    """(label path, kind, title) of every section."""
    return [(path, node.kind, node.title) for path, node in structure.walk()]


def node(structure: Structure, *path: str) -> Section:
    return next(n for p, n in structure.walk() if p == path)


# --------------------------------------------------------------------------------------------- nesting


def test_levels_come_from_numbering_not_markdown_marks() -> None:
    text = "\n".join(
        [
            "#### I. MỤC ĐÍCH",
            "## **1. Mục đích**",
            "- Bảo vệ trẻ em.",
            "### **II. NỘI DUNG**",
            "##### 1. Tuyên truyền",
            "# 1.1. Kết quả",
            "a) Mười buổi.",
            "b) Hai thôn.",
            "1.2. Hạn chế",
            "2. Kiểm tra",
        ]
    )
    s = segment_text(text)
    assert [(p, n.kind, n.level) for p, n in s.walk()] == [
        (("I",), "roman", 1),
        (("I", "1"), "number", 2),
        (("II",), "roman", 1),
        (("II", "1"), "number", 2),
        (("II", "1", "1.1"), "decimal", 3),
        (("II", "1", "1.1", "a"), "letter", 4),
        (("II", "1", "1.1", "b"), "letter", 4),
        (("II", "1", "1.2"), "decimal", 3),
        (("II", "2"), "number", 2),
    ]


def test_arabic_numbers_without_roman_are_top_level() -> None:
    s = segment_text("1. Chủ đề: Hành động thiết thực.\n2. Thời gian: tháng 6.\n")
    assert [(p, n.level) for p, n in s.walk()] == [(("1",), 1), (("2",), 1)]


def test_articles_nest_under_chapters_and_hold_numbers_and_letters() -> None:
    s = segment_text((FIXTURES / "quy-che-chuong-muc-dieu.txt").read_text(encoding="utf-8"))
    assert [p for p, _ in s.walk()] == [
        ("I",),
        ("I", "1"),
        ("I", "2"),
        ("II",),
        ("II", "1"),
        ("II", "1", "3"),
        ("II", "1", "3", "1"),
        ("II", "1", "3", "1", "a"),
        ("II", "1", "3", "1", "b"),
        ("II", "1", "3", "2"),
        ("II", "2"),
        ("II", "2", "4"),
    ]
    assert node(s, "II", "1").kind == "section"
    assert node(s, "II", "1").title == "NHIỆM VỤ CỦA BAN"  # the label alone on its line, the title below
    assert node(s, "I").title == "QUY ĐỊNH CHUNG"


def test_label_alone_takes_one_title_line_then_the_body() -> None:
    s = segment_text("Mục 1\nNHIỆM VỤ CỦA BAN\nBan có các nhiệm vụ sau đây:\n- Tham mưu.\n")
    section = s.sections[0]
    assert (section.kind, section.title, section.body) == (
        "section",
        "NHIỆM VỤ CỦA BAN",
        "Ban có các nhiệm vụ sau đây:",
    )
    assert [i.text for i in section.items] == ["Tham mưu."]


def test_report_parts_hold_roman_sections() -> None:
    s = segment_text((FIXTURES / "bao-cao-single-space.txt").read_text(encoding="utf-8"))
    top = [(n.kind, n.label, n.title) for n in s.sections]
    assert top == [
        ("part", "A", "KẾT QUẢ THỰC HIỆN NĂM 2023"),
        ("part", "B", "PHƯƠNG HƯỚNG NHIỆM VỤ NĂM 2024"),
    ]
    assert [c.label for c in s.sections[1].children] == ["I", "II"]
    assert node(s, "A", "I", "1", "1.2").title == "Tồn tại, hạn chế"


def test_ocr_slipped_roman_headings_skip_and_page_break() -> None:
    s = segment_text((FIXTURES / "ke-hoach-ocr-slips.txt").read_text(encoding="utf-8"))
    assert [(n.label, n.printed) for n in s.sections] == [
        ("I", "I."),
        ("II", "11."),
        ("III", "I11."),
        ("IV", "IV"),
        ("VI", "VI."),
        ("VII", "VIl."),
    ]
    assert [c.label for c in node(s, "I").children] == ["1", "2"]  # "2 Tao moi truong" has lost its dot
    # "~ 2." (stamp noise before the label) is still item 2; the page number "2" is not text
    assert [c.title for c in node(s, "II").children] == [
        "Tuyen truyen tren he thong loa truyen thanh cua xa; to chuc cac lop day boi cho tre em "
        "tu 6 den 15 tuoi",
        "Ra soat cac ao, ho, song suoi nguy hiem",
    ]
    assert [c.label for c in node(s, "IV").children] == ["1", "2"]
    assert node(s, "IV", "2").body == "phoi hop tuyen truyen."


def test_form_feed_page_breaks() -> None:
    s = segment_text((FIXTURES / "page-break.txt").read_text(encoding="utf-8"))
    assert [p for p, _ in s.walk()] == [("I",), ("I", "1"), ("II",), ("II", "1")]


def test_page_number_at_a_page_edge_is_not_text() -> None:
    text = (
        "I. MỤC ĐÍCH\n1. Bảo vệ trẻ em trước nguy cơ bị bạo lực, xâm hại, bị tai nạn, thương tích, bóc\n"
        "lột lao\n- 2 -\n\fđộng, bảo đảm sự an toàn cho mọi trẻ em.\n2\n\fII. NỘI DUNG\n"
    )
    s = segment_text(text)
    assert node(s, "I", "1").title == (
        "Bảo vệ trẻ em trước nguy cơ bị bạo lực, xâm hại, bị tai nạn, thương tích, bóc lột lao động, bảo đảm "
        "sự an toàn cho mọi trẻ em"
    )
    assert [p for p, _ in s.walk()] == [("I",), ("I", "1"), ("II",)]


def test_numbering_that_restarts_or_repeats_is_kept_as_printed() -> None:
    text = "I. MỤC ĐÍCH\n1. Một\n2. Hai\n1. Lại một\nV. TỔ CHỨC\nV. BÁO CÁO\n"
    s = segment_text(text)
    assert [p for p, _ in s.walk()] == [("I",), ("I", "1"), ("I", "2"), ("I", "1"), ("V",), ("V",)]


# --------------------------------------------------------------------------------------------- headings


@pytest.mark.parametrize(
    ("text", "bold_end", "title", "body"),
    [
        ("NỘI DUNG HOẠT ĐỘNG", None, "NỘI DUNG HOẠT ĐỘNG", ""),
        (
            "Phòng Tài chính - Kế hoạch: Tham mưu bố trí ngân sách.",
            None,
            "Phòng Tài chính - Kế hoạch",
            "Tham mưu bố trí ngân sách.",
        ),
        ("Mục đích", None, "Mục đích", ""),
        (
            "Tổ chức các hoạt động. Đẩy mạnh tuyên truyền.",
            None,
            "Tổ chức các hoạt động",
            "Đẩy mạnh tuyên truyền.",
        ),
        ("Quản lý tại TP. Lạng Sơn và các huyện.", None, "Quản lý tại TP. Lạng Sơn và các huyện", ""),
        (
            "Theo Quyết định (mục 2: kinh phí) của tỉnh.",
            None,
            "Theo Quyết định (mục 2: kinh phí) của tỉnh",
            "",
        ),
        (
            "Đề nghị các sở, ban, ngành liên quan căn cứ chức năng.",
            36,
            "Đề nghị các sở, ban, ngành liên quan",
            "căn cứ chức năng.",
        ),
        (
            "Đề nghị Ủy ban Mặt trận: Trong phạm vi chức năng.",
            24,
            "Đề nghị Ủy ban Mặt trận",
            "Trong phạm vi chức năng.",
        ),
    ],
)
def test_split_heading(text: str, bold_end: int | None, title: str, body: str) -> None:
    assert split_heading(text, bold_end) == (title, body)


def test_upper_case_heading_wrapped_over_two_lines() -> None:
    s = segment_text("I. NHIỆM VỤ VÀ GIẢI PHÁP\nTRỌNG TÂM NĂM 2024\n1. Tuyên truyền\n")
    assert s.sections[0].title == "NHIỆM VỤ VÀ GIẢI PHÁP TRỌNG TÂM NĂM 2024"
    assert s.sections[0].children[0].title == "Tuyên truyền"


def test_title_never_empty_when_the_numbered_line_has_text() -> None:
    for path in [*sorted(FIXTURES.glob("*.txt")), *sorted((FIXTURES / "documents").iterdir())]:
        for _, section in segment_text(path.read_text(encoding="utf-8")).walk():
            assert section.title, (path.name, section.label)


# --------------------------------------------------------------------------------------------- paragraphs


WRAPPED = """II. NỘI DUNG THỰC HIỆN
1. Chỉ đạo triển khai thực hiện Chương trình hành động vì trẻ em xã Bình

Lương giai đoạn 2021-2030 và các chương trình, kế hoạch thực hiện chính sách,
pháp luật về trẻ em trên địa bàn xã.

- Tập trung quản lý, điều hành triển khai thực hiện có hiệu quả các nhiệm vụ,
giải pháp để thực hiện hoàn thành các mục tiêu, chỉ tiêu đề ra.

+ Củng cố, kiện toàn và tăng cường công tác phối hợp liên ngành về trẻ em
các cấp.
- Tham mưu thực hiện tốt việc đăng ký khai sinh cho trẻ em,

chủ động trong công tác đề nghị cấp thẻ BHYT cho trẻ em dưới 6 tuổi.
Kinh phí do ngân sách xã bảo đảm.
2. Phối hợp, đôn đốc việc giải quyết các vấn đề về trẻ em.

Kiểm tra, rà soát việc chấp hành chính sách, pháp luật về trẻ em nhằm kịp
thời phát hiện và xử lý nghiêm minh các hành vi vi phạm.
"""


def test_paragraphs_rebuilt_from_hard_wrapped_lines() -> None:
    s = segment_text(WRAPPED)
    first = node(s, "II", "1")
    assert first.title.endswith(
        "xã Bình Lương giai đoạn 2021-2030 và các chương trình, kế hoạch thực hiện chính "
        "sách, pháp luật về trẻ em trên địa bàn xã"
    )
    assert [i.text for i in first.items] == [
        "Tập trung quản lý, điều hành triển khai thực hiện có hiệu quả các nhiệm vụ, giải pháp để thực hiện "
        "hoàn thành các mục tiêu, chỉ tiêu đề ra.",
        "Tham mưu thực hiện tốt việc đăng ký khai sinh cho trẻ em, chủ động trong công tác đề nghị cấp "
        "thẻ BHYT cho trẻ em dưới 6 tuổi. Kinh phí do ngân sách xã bảo đảm.",
    ]
    assert [i.text for i in first.items[0].items] == [
        "Củng cố, kiện toàn và tăng cường công tác phối hợp liên ngành về trẻ em các cấp."
    ]
    second = node(s, "II", "2")
    assert second.body == (
        "Kiểm tra, rà soát việc chấp hành chính sách, pháp luật về trẻ em nhằm kịp thời phát hiện và xử lý "
        "nghiêm minh các hành vi vi phạm."
    )


def test_preamble_keeps_one_paragraph_per_can_cu() -> None:
    s = segment_text((FIXTURES / "quyet-dinh-interleaved.txt").read_text(encoding="utf-8"))
    paragraphs = s.preamble.split("\n\n")
    assert paragraphs[0] == "CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ BẰNG MẠC"
    assert paragraphs[1] == "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;"
    assert paragraphs[2] == "Căn cứ Luật Trẻ em ngày 05 tháng 4 năm 2016;"
    assert paragraphs[-1] == "QUYẾT ĐỊNH:"


def test_end_zone_is_not_swallowed_by_the_last_section() -> None:
    s = segment_text((DATA / "district-2021.gt.txt").read_text(encoding="utf-8"))
    last = node(s, "VII", "2")
    assert last.items == [] and "Nơi nhận" not in last.body and "Trên đây" not in last.body
    assert s.closing.startswith("Trên đây là Kế hoạch thực hiện công tác bảo vệ, chăm sóc trẻ năm 2021")
    assert s.closing.endswith("để được giải quyết./.")
    assert s.metadata.recipients[-1] == "Lưu: VT"


def test_cong_van_closing_request_goes_to_closing() -> None:
    s = segment_text((FIXTURES / "cong-van-columns-separate.txt").read_text(encoding="utf-8"))
    assert s.closing == "Đề nghị các cơ quan, đơn vị quan tâm phối hợp thực hiện./."
    assert node(s, "4").body.endswith("(qua phòng Bảo trợ xã hội - Trẻ em).")


WORD = re.compile(r"\w+", re.UNICODE)
#: Fixed texts of the header and end zone, recognised and not stored.
BOILERPLATE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập Tự do Hạnh phúc Số Nơi nhận Kính gửi V/v"


def _stored_words(s: Structure) -> Counter[str]:
    texts: list[str] = [s.preamble, s.closing, *s.unassigned]
    for _, n in s.walk():
        texts += [n.printed, n.title, n.body]
        stack = list(n.items)
        while stack:
            item = stack.pop()
            texts.append(item.text)
            stack += item.items

    def collect(value: Any) -> None:
        if isinstance(value, dict):
            for v in value.values():
                collect(v)
        elif isinstance(value, list):
            for v in value:
                collect(v)
        elif isinstance(value, str):
            texts.append(value)

    collect(s.metadata.to_dict())
    return Counter(w.lower() for t in texts for w in WORD.findall(t.replace("_", " ")))


@pytest.mark.parametrize(
    "path",
    [
        DATA / "district-2021.gt.txt",
        *sorted(FIXTURES.glob("*.txt")),
        *sorted((FIXTURES / "documents").iterdir()),
    ],
    ids=lambda p: p.name,
)
def test_drop_nothing(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    s = segment_text(text)
    stored = _stored_words(s)
    source = Counter(w.lower() for w in WORD.findall(text.replace("_", " ")))
    boilerplate = {w.lower() for w in WORD.findall(BOILERPLATE)}
    # every word as often as in the input; page numbers are not text, so digits need only be present
    missing = {
        w: n - stored[w]
        for w, n in source.items()
        if w not in boilerplate and (stored[w] == 0 or (stored[w] < n and not w.isdigit()))
    }
    assert not missing, missing


# --------------------------------------------------------------------------------------------- golden


def _gold_pairs(
    nodes: list[dict[str, Any]], prefix: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], str, str]]:
    out = []
    for n in nodes:
        path = (*prefix, n["label"])
        out.append((path, n["kind"], n["title"]))
        out += _gold_pairs(n.get("children", []), path)
    return out


def _norm(title: str) -> str:
    return re.sub(r"\s+", " ", title).strip().rstrip(" .;,:…")


GOLD_FILES = sorted(GOLD.glob("*.json"))


@pytest.mark.parametrize("gold_path", GOLD_FILES, ids=lambda p: p.stem)
def test_golden_tree(gold_path: Path) -> None:
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    source = DATA / gold["document"]
    if not source.is_file():
        source = FIXTURES / "documents" / gold["document"]
    s = segment_text(source.read_text(encoding="utf-8"))
    assert [(p, k, _norm(t)) for p, k, t in tree(s)] == [
        (p, k, _norm(t)) for p, k, t in _gold_pairs(gold["sections"])
    ]


# --------------------------------------------------------------------------------------------- outputs


def test_json_node_contract() -> None:
    s = segment_text((FIXTURES / "bao-cao-single-space.txt").read_text(encoding="utf-8"))
    data = s.to_dict()
    assert set(data) >= {"metadata", "preamble", "sections", "closing"}

    def check(n: dict[str, Any], level: int) -> None:
        assert set(n) == {"label", "kind", "level", "title", "body", "items", "children"}
        assert n["level"] == level and n["kind"] in {
            "part",
            "chapter",
            "section",
            "article",
            "roman",
            "number",
            "decimal",
            "letter",
        }
        for child in n["children"]:
            check(child, level + 1)

    for top in data["sections"]:
        check(top, 1)
    json.dumps(data, ensure_ascii=False)


def test_markdown_rendering_by_level() -> None:
    s = segment_text(WRAPPED.replace("II. NỘI DUNG", "I. MỤC ĐÍCH\n1. Mục đích\nII. NỘI DUNG"))
    md = render_markdown(s)
    assert "## I. MỤC ĐÍCH\n" in md
    assert "### 1. Mục đích\n" in md
    assert "## II. NỘI DUNG THỰC HIỆN\n" in md
    assert "\n- Tập trung quản lý" in md
    assert "\n  - Củng cố, kiện toàn" in md


def test_markdown_has_metadata_closing_recipients_and_signer() -> None:
    s = segment_text((FIXTURES / "quyet-dinh-interleaved.txt").read_text(encoding="utf-8"))
    md = render_markdown(s)
    assert md.startswith(
        "# QUYẾT ĐỊNH: Về việc kiện toàn Ban Bảo vệ trẻ em xã Bằng Mạc giai đoạn 2024 - 2026\n"
    )
    assert "## Điều 2. Ban Bảo vệ trẻ em có nhiệm vụ" in md
    assert "### đ) Thực hiện các nhiệm vụ khác do Chủ tịch UBND xã giao" in md
    assert "**Nơi nhận:**\n- Như Điều 3\n" in md
    assert md.rstrip().endswith("**TM. ỦY BAN NHÂN DÂN**  \n**CHỦ TỊCH**  \nLương Văn Cường")


def test_cli_segment_json_and_md(tmp_path: Path) -> None:
    source = FIXTURES / "page-break.txt"
    runner = CliRunner()
    result = runner.invoke(cli_main, ["segment", str(source), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [n["label"] for n in data["sections"]] == ["I", "II"]
    out = tmp_path / "x.md"
    result = runner.invoke(cli_main, ["segment", str(source), "--format", "md", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "## II. NỘI DUNG" in out.read_text(encoding="utf-8")


def test_empty_and_unnumbered_text() -> None:
    assert segment_text("").sections == []
    s = segment_text(
        "Một đoạn văn không có đề mục nào, xuống dòng giữa câu vì trang in có khổ\nhẹp.\nĐoạn hai."
    )
    assert s.sections == []
    assert (
        s.preamble
        == "Một đoạn văn không có đề mục nào, xuống dòng giữa câu vì trang in có khổ hẹp.\n\nĐoạn hai."
    )
