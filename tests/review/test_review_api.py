"""The review app's JSON API over a small batch: the queue, corrections kept and applied, safety."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from ocr_pipeline.review.app import create_app
from tests.review.batch_fixture import read_record


@pytest.fixture
def client(batch: Path) -> TestClient:
    return TestClient(create_app(batch, reviewer="tester"))


def correction_for(item: dict[str, Any], corrected: str) -> dict[str, Any]:
    keys = ("document", "page", "line", "start", "original", "chosen")
    return {**{k: item[k] for k in keys}, "corrected": corrected}


def kept(out: Path) -> list[dict[str, Any]]:
    path = out / "corrections.jsonl"
    return (
        [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []
    )


def test_the_queue_lists_the_flagged_words_least_confident_first_with_their_place(client: TestClient) -> None:
    queue = client.get("/api/queue").json()
    items = queue["items"]
    assert queue["open"] == queue["total"] == len(items) >= 2
    confidences = [item["confidence"] for item in items]
    assert confidences == sorted(confidences)
    for item in items:
        a, b = item["span"]
        assert item["line_text"][a:b] == item["chosen"]
        assert item["box"] and item["box"][2] > 0 and item["image"]
        assert item["alternatives"][0][0] == item["chosen"]


def test_the_box_of_a_flag_is_the_box_of_its_ocr_word(client: TestClient, batch: Path) -> None:
    item = client.get("/api/queue").json()["items"][0]
    page = read_record(batch)["pages"][0]  # type: ignore[index]
    line_words = [w for w in page["words"] if w["line"] == item["line"]]
    assert any(w["text"] == item["original"] and w["box"] == item["box"] for w in line_words)


def test_a_correction_goes_to_every_output_and_is_kept(client: TestClient, batch: Path) -> None:
    item = client.get("/api/queue").json()["items"][0]
    response = client.post("/api/corrections", json=correction_for(item, "hưởngX"))
    assert response.status_code == 200, response.text
    assert "hưởngX" in response.json()["line_text"]
    assert "hưởngX" in (batch / "plan.txt").read_text(encoding="utf-8")
    assert "hưởngX" in (batch / "plan.md").read_text(encoding="utf-8")
    record = read_record(batch)
    assert "hưởngX" in record["text"]  # type: ignore[operator]
    assert "hưởngX" in record["pages"][0]["text"]  # type: ignore[index]
    flagged = record["restoration"]["flagged_for_review"]  # type: ignore[index]
    assert any(e.get("review", {}).get("corrected") == "hưởngX" for e in flagged)
    (line,) = kept(batch)
    assert line["corrected"] == "hưởngX" and line["chosen"] == item["chosen"] and line["reviewer"] == "tester"
    assert line["at"] and line["kind"] == "word"
    assert (batch / "lexicon.txt").read_text(encoding="utf-8") == "hưởngX\t1\n"
    queue = client.get("/api/queue").json()
    assert queue["open"] == queue["total"] - 1 and item["id"] not in [i["id"] for i in queue["items"]]


def test_accepting_keeps_the_text_and_clears_the_flag(client: TestClient, batch: Path) -> None:
    before = (batch / "plan.txt").read_text(encoding="utf-8")
    item = client.get("/api/queue").json()["items"][0]
    assert client.post("/api/corrections", json=correction_for(item, item["chosen"])).status_code == 200
    assert (batch / "plan.txt").read_text(encoding="utf-8") == before
    assert kept(batch)[0]["corrected"] == item["chosen"]
    assert client.get("/api/queue").json()["open"] == client.get("/api/queue").json()["total"] - 1


def test_a_stale_correction_from_another_tab_is_refused(client: TestClient, batch: Path) -> None:
    item = client.get("/api/queue").json()["items"][0]
    assert client.post("/api/corrections", json=correction_for(item, "một")).status_code == 200
    stale = client.post("/api/corrections", json=correction_for(item, "hai"))  # still says the old word
    assert stale.status_code == 409
    assert "hai" not in (batch / "plan.txt").read_text(encoding="utf-8").split()
    assert len(kept(batch)) == 1


def test_metadata_edits_are_kept_and_rendered(client: TestClient, batch: Path) -> None:
    body = {"document": "plan", "field": "title", "value": "Bảo vệ trẻ em <b>2021</b>"}
    assert client.post("/api/metadata", json=body).status_code == 200
    assert (
        client.post("/api/metadata", json={**body, "field": "number", "value": "28/KH-UBND"}).status_code
        == 200
    )
    record = read_record(batch)
    assert record["metadata"]["title"] == "Bảo vệ trẻ em <b>2021</b>"  # type: ignore[index]
    assert record["metadata"]["number"]["type_code"] == "KH"  # type: ignore[index]
    assert "Bảo vệ trẻ em <b>2021</b>" in (batch / "plan.md").read_text(encoding="utf-8")
    assert client.post("/api/metadata", json={**body, "field": "source"}).status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "/files/../../../etc/passwd",
        "/files/%2e%2e/%2e%2e/etc/passwd",
        "/files/..%2f..%2fetc%2fpasswd",
        "/files//etc/passwd",
        "/files/.review/lock",
        "/static/../../../../etc/passwd",
        "/static/%2e%2e/app.py",
        "/api/document?id=../../etc/passwd",
        "/api/document?id=/etc/passwd",
        "/api/page-image?document=../in/plan&page=1",
        "/api/queue?document=..%2F..%2Fetc%2Fpasswd",
    ],
)
def test_nothing_outside_the_folder_is_served(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404, response.text
    assert "root:" not in response.text


def test_the_outputs_are_served(client: TestClient) -> None:
    response = client.get("/files/plan.txt")
    assert response.status_code == 200 and "trẻ em" in response.text
    assert "default-src 'self'" in response.headers["content-security-policy"]


def test_posts_must_be_json_from_the_apps_own_origin(client: TestClient) -> None:
    item = client.get("/api/queue").json()["items"][0]
    form = client.post("/api/corrections", data={"document": "plan"})
    assert form.status_code == 415
    other = client.post(
        "/api/corrections", json=correction_for(item, "x"), headers={"Origin": "http://evil.example"}
    )
    assert other.status_code == 403
    bad = client.post("/api/corrections", json={**correction_for(item, "a\nb")})
    assert bad.status_code == 400


def test_concurrent_tabs_and_servers_keep_the_log_whole(batch: Path) -> None:
    servers = [TestClient(create_app(batch)), TestClient(create_app(batch))]  # two apps: two servers
    items = servers[0].get("/api/queue").json()["items"]
    results: list[int] = []

    def review(n: int) -> None:
        for item in items:
            results.append(
                servers[n % 2].post("/api/corrections", json=correction_for(item, f"w{n}")).status_code
            )

    threads = [threading.Thread(target=review, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(set(results)) == [200, 409]
    lines = kept(batch)  # every line whole JSON, one winner per flag
    assert len(lines) == len(items) == results.count(200)
    text = (batch / "plan.txt").read_text(encoding="utf-8")
    for line in lines:
        assert line["corrected"] in text


def test_page_images_are_rendered_once_and_cached_under_the_folder(client: TestClient, batch: Path) -> None:
    item = client.get("/api/queue").json()["items"][0]
    first = client.get(item["image"])
    assert first.status_code == 200 and first.headers["content-type"] == "image/jpeg"
    (cached,) = (batch / ".review" / "pages").glob("plan.p1.*.jpg")
    stamp = cached.stat().st_mtime_ns
    assert client.get(item["image"]).content == first.content
    assert cached.stat().st_mtime_ns == stamp
    assert "/9j/" not in (batch / "plan.json").read_text(encoding="utf-8")  # no image kept in the JSON


def test_alternatives_missing_from_an_older_record_are_computed(batch: Path) -> None:
    record = read_record(batch)
    flagged = record["restoration"]["flagged_for_review"]  # type: ignore[index]
    expected = {(e["line"], e["start"]): e.pop("alternatives") for e in flagged}
    (batch / "plan.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    items = TestClient(create_app(batch)).get("/api/queue").json()["items"]
    for item in items:
        words = [w for w, _ in item["alternatives"]]
        assert words[:2] == [w for w, _ in expected[(item["line"], item["start"])]][:2]


def test_the_review_command_listens_on_localhost_unless_told(
    batch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    import ocr_pipeline.review.app as review_app
    from ocr_pipeline.cli import main

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(review_app, "serve", lambda output_dir, **kwargs: calls.append(kwargs))
    assert CliRunner().invoke(main, ["review", str(batch)]).exit_code == 0
    assert calls[-1]["host"] == "127.0.0.1" and calls[-1]["port"] == 8765
    assert (
        CliRunner().invoke(main, ["review", str(batch), "--host", "0.0.0.0", "--port", "9000"]).exit_code == 0
    )
    assert calls[-1]["host"] == "0.0.0.0" and calls[-1]["port"] == 9000
    assert CliRunner().invoke(main, ["review", str(batch / "missing")]).exit_code == 2


def test_a_local_server_answers_only_requests_addressed_to_the_local_machine(batch: Path) -> None:
    from ocr_pipeline.review.app import LOOPBACK_HOSTS

    app = create_app(batch, allowed_hosts=list(LOOPBACK_HOSTS))
    assert TestClient(app, base_url="http://127.0.0.1:8765").get("/api/documents").status_code == 200
    assert TestClient(app, base_url="http://localhost:8765").get("/api/documents").status_code == 200
    rebound = TestClient(
        app, base_url="http://attacker.example:8765"
    )  # DNS rebinding: their name, our address
    assert rebound.get("/api/documents").status_code == 400
    assert rebound.get("/files/plan.txt").status_code == 400
