"""The review app in a real browser: Debian's headless Chromium, driven by Playwright (no browser download).

Skipped where ``chromium`` or the ``playwright`` package is missing; ``make test`` installs both.
"""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.review.batch_fixture import read_record

CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser")) if p), None)
try:
    from playwright.sync_api import Browser, Page, sync_playwright
except ImportError:  # pragma: no cover - the dev extra installs it
    sync_playwright = None

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)"),
    pytest.mark.skipif(sync_playwright is None, reason="the playwright package is not installed"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(batch: Path) -> Iterator[str]:
    """The app on a free local port, served by uvicorn in a thread, as ``vnocr review`` serves it."""
    import uvicorn

    from ocr_pipeline.review.app import LOOPBACK_HOSTS, create_app

    port = free_port()
    app = create_app(batch, reviewer="browser", allowed_hosts=list(LOOPBACK_HOSTS))
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not running.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert running.started, "the review server did not start"
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the module's tests."""
    assert sync_playwright is not None and CHROMIUM is not None
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    yield context.new_page()
    context.close()


def kept(out: Path) -> list[dict[str, Any]]:
    path = out / "corrections.jsonl"
    return (
        [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []
    )


def test_a_word_is_corrected_with_the_keyboard(server: str, batch: Path, page: Page) -> None:
    page.goto(f"{server}/#/queue")
    page.wait_for_selector("#item mark")
    first = page.get_attribute("#item", "data-id")
    original_word = page.inner_text("#line mark")
    page.wait_for_selector("#crop .box[style]")  # the page image loaded and the word's box drawn on it
    page.keyboard.press("e")
    page.keyboard.type("hưởngđúng")
    page.keyboard.press("Enter")
    page.wait_for_selector(f'#item:not([data-id="{first}"])')  # answered: the next word is shown
    (correction,) = kept(batch)
    assert correction["corrected"] == "hưởngđúng" and correction["chosen"] == original_word
    assert correction["reviewer"] == "browser"
    text = (batch / "plan.txt").read_text(encoding="utf-8")
    assert "hưởngđúng" in text.split("\n")[correction["line"] - 1]

    second = page.get_attribute("#item", "data-id")
    page.keyboard.press("2")  # the second choice: the best alternative to the current word
    page.wait_for_selector(f'#item:not([data-id="{second}"])')  # (the CSP forbids the test's own scripts)
    corrections = kept(batch)
    assert corrections[1]["corrected"] != corrections[1]["chosen"]
    assert corrections[1]["corrected"] in (batch / "plan.txt").read_text(encoding="utf-8")

    page.keyboard.press("Enter")  # accept
    page.wait_for_selector("text=Nothing left to review.")
    corrections = kept(batch)
    assert len(corrections) == 3 and corrections[2]["corrected"] == corrections[2]["chosen"]


def test_path_traversal_gets_404_from_the_browser(server: str, page: Page) -> None:
    page.goto(server)
    for path in (
        "/files/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/static/%2e%2e/%2e%2e/app.py",
        "/files/.review/lock",
    ):
        response = page.request.get(server + path)
        assert response.status == 404, path


def test_output_text_is_shown_as_text_never_as_markup(server: str, batch: Path, page: Page) -> None:
    record = read_record(batch)
    item_line = record["restoration"]["flagged_for_review"][0]["line"]  # type: ignore[index]
    page_record = record["pages"][0]  # type: ignore[index]
    lines = page_record["text"].split("\n")
    lines[item_line - 1] += ' <img src=x id="injected" onerror="document.title=\'pwned\'">'
    page_record["text"] = "\n".join(lines)
    (batch / "plan.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    page.goto(f"{server}/#/doc/plan")
    page.wait_for_selector("#metadata")
    assert page.locator("#injected").count() == 0
    assert '<img src=x id="injected"' in page.inner_text(".page pre")
    page.goto(f"{server}/#/queue")
    page.wait_for_selector("#item")
    assert page.locator("#injected").count() == 0 and page.title() != "pwned"


def test_metadata_is_edited_in_the_document_view(server: str, batch: Path, page: Page) -> None:
    page.goto(f"{server}/#/doc/plan")
    page.wait_for_selector(".page img")
    page.fill("#metadata textarea[name=title]", "Kế hoạch bảo vệ trẻ em")
    page.fill("#metadata input[name='signer.name']", "Nguyễn Văn A")
    page.click("#save-metadata")
    page.wait_for_selector("#meta-status.ok")
    metadata = read_record(batch)["metadata"]
    assert metadata["title"] == "Kế hoạch bảo vệ trẻ em"  # type: ignore[index]
    assert metadata["signer"]["name"] == "Nguyễn Văn A"  # type: ignore[index]
    assert [c["field"] for c in kept(batch)] == ["title", "signer.name"]
