"""Corrections: finding the word again, the log, and re-applying after ``vnocr batch --force``."""

from __future__ import annotations

import json
from pathlib import Path

from starlette.testclient import TestClient

from ocr_pipeline.batch import run_batch
from ocr_pipeline.options import ProcessOptions
from ocr_pipeline.review.app import create_app
from ocr_pipeline.review.corrections import (
    Correction,
    CorrectionStore,
    apply_metadata,
    apply_word,
    reapply_corrections,
)
from ocr_pipeline.review.flags import locate, word_index_at
from ocr_pipeline.review.folder import OutputFolder
from ocr_pipeline.structure.model import DocumentMetadata, Signer

SAMPLE = Path(__file__).parents[2] / "samples" / "text" / "district-2021.eng-ocr.txt"


def test_a_token_is_found_in_the_restored_line_by_its_word_index() -> None:
    raw = "trié em bi anh hudong, bé1 HIV"
    restored = "trẻ em bị ảnh hưởng, bé1 HIV"
    assert word_index_at(raw, raw.index("hudong")) == 4
    span = locate(restored, raw, raw.index("hudong"), "hưởng")
    assert span is not None and restored[span[0] : span[1]] == "hưởng"
    # the same word twice: the one at the token's place, not the first
    raw2, restored2 = "nam nay va nam sau", "năm nay và năm sau"
    span2 = locate(restored2, raw2, raw2.rindex("nam"), "năm")
    assert span2 == (restored2.rindex("năm"), restored2.rindex("năm") + 3)
    assert locate(restored, raw, 0, "không") is None


def test_apply_word_changes_one_token_and_says_when_it_cannot() -> None:
    record = {
        "pages": [{"number": 1, "raw_text": "a\ncong tac nam 2021", "text": "a\ncông tác năm 2021"}],
        "restoration": {"flagged_for_review": [{"page": 1, "line": 2, "start": 9, "original": "nam"}]},
    }
    fix = Correction("d", page=1, line=2, start=9, original="nam", chosen="năm", corrected="nằm")
    assert apply_word(record, fix) == "applied"
    assert record["pages"][0]["text"] == "a\ncông tác nằm 2021"  # type: ignore[index]
    assert record["restoration"]["flagged_for_review"][0]["review"]["corrected"] == "nằm"  # type: ignore[index]
    assert apply_word(record, fix) == "already"
    other = Correction("d", page=1, line=2, start=9, original="nam", chosen="xyz", corrected="năm")
    assert apply_word(record, other) == "mismatch"
    assert apply_word(record, Correction("d", page=3, line=1, chosen="a", corrected="b")) == "mismatch"


def test_the_log_skips_a_line_cut_short(tmp_path: Path) -> None:
    folder = OutputFolder(tmp_path)
    store = CorrectionStore(folder)
    store.append(Correction("a/b", page=1, line=1, start=0, original="x", chosen="y", corrected="z"))
    with folder.corrections_path.open("a", encoding="utf-8") as handle:
        handle.write('{"document": "a/b", "kind": "wo')  # a crash in the middle of a write
    store.append(Correction("a/b", kind="metadata", field="title", value="T"))
    read = store.read()
    assert [c.kind for c in read] == ["word"]  # the second append continued the cut line
    assert json.loads(folder.corrections_path.read_text(encoding="utf-8").splitlines()[0])["corrected"] == "z"


def test_corrections_survive_a_forced_rerun_of_the_batch(tmp_path: Path) -> None:
    inputs, out = tmp_path / "in", tmp_path / "out"
    (inputs / "sub").mkdir(parents=True)
    lines = SAMPLE.read_text(encoding="utf-8").split("\n")[20:40]
    (inputs / "sub" / "plan.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    options = ProcessOptions()
    assert run_batch(inputs, out, options, jobs=1).ok == 1
    client = TestClient(create_app(out))
    items = client.get("/api/queue").json()["items"]
    assert items and items[0]["document"] == "sub/plan"
    item = items[0]
    body = {k: item[k] for k in ("document", "page", "line", "start", "original", "chosen")}
    assert client.post("/api/corrections", json={**body, "corrected": "Chương"}).status_code == 200
    meta = {"document": "sub/plan", "field": "title", "value": "Trích yếu sửa tay"}
    assert client.post("/api/metadata", json=meta).status_code == 200
    corrected_line = client.get("/api/queue?status=all").json()["items"]
    corrected_text = (out / "sub" / "plan.txt").read_text(encoding="utf-8")
    assert "Chương" in corrected_text.split("\n")[item["line"] - 1]

    summary = run_batch(inputs, out, options, jobs=1, force=True)  # the outputs are made anew
    assert summary.ok == 1
    assert (out / "sub" / "plan.txt").read_text(encoding="utf-8") == corrected_text
    record = json.loads((out / "sub" / "plan.json").read_text(encoding="utf-8"))
    assert record["metadata"]["title"] == "Trích yếu sửa tay"
    assert "Trích yếu sửa tay" in (out / "sub" / "plan.md").read_text(encoding="utf-8")
    assert client.get("/api/queue?status=all").json()["items"] == corrected_line  # still reviewed
    assert reapply_corrections(out, "sub/plan") == {"already": 1}
    assert reapply_corrections(out, "no/such") == {}


def test_the_record_keeps_one_line_per_ocr_word_and_reads_back_the_same() -> None:
    from ocr_pipeline.models import record_json

    words = [
        {"line": 1, "text": "Số:", "box": [1, 2, 3, 4], "conf": 90.0},
        {"line": 2, "text": "\0", "box": []},
    ]
    record = {
        "source": "x",
        "pages": [{"number": 1, "words": words}, {"number": 2, "words": []}],
        "text": "a",
    }
    text = record_json(record)
    assert json.loads(text) == record
    assert '        {"line": 1, "text": "Số:", "box": [1, 2, 3, 4], "conf": 90.0},' in text.splitlines()
    assert json.loads(record_json(record, None)) == record


def test_a_reviewed_signer_name_says_it_came_from_review() -> None:
    metadata = DocumentMetadata(
        signer=Signer(position="PHÓ CHỦ TỊCH", name="Phạm Văn A", name_source="mention")
    )
    apply_metadata(metadata, "signer.name", "Phạm Văn B")
    assert metadata.signer is not None
    assert (metadata.signer.name, metadata.signer.name_source) == ("Phạm Văn B", "review")
    apply_metadata(metadata, "signer.name", "")
    assert (metadata.signer.name, metadata.signer.name_source) == (None, None)
    apply_metadata(metadata, "signer.position", "CHỦ TỊCH")
    assert metadata.signer.name_source is None
