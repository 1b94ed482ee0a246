"""A real browser finds a Vietnamese phrase of x.pdf on the right page.

Headless Chromium (Debian's) loads a local page served from 127.0.0.1 that opens x.pdf in pdf.js's viewer
(``pdfjs-dist``, installed by ``make test`` into ``.cache/pdfjs``) and runs the viewer's own find
(``PDFFindController``, what its find bar does); the page reports the pages with a match and the page the
viewer jumped to back to the test server. Chromium's built-in PDF viewer is not used: its find bar is browser
UI that a headless run cannot drive.
"""

from __future__ import annotations

import functools
import http.server
import queue
import shutil
import subprocess
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from ocr_pipeline.outputs.pdf import write_pdf

ROOT = Path(__file__).resolve().parents[2]
PDFJS = ROOT / ".cache" / "pdfjs" / "node_modules" / "pdfjs-dist"
PAGE = ROOT / "tests" / "data" / "browser" / "find.html"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (make sysdeps)"),
    pytest.mark.skipif(
        not (PDFJS / "build" / "pdf.mjs").is_file(), reason="pdfjs-dist is not installed (make test)"
    ),
]


class _Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map: ClassVar[dict[str, str]] = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".mjs": "text/javascript",
    }
    reports: queue.Queue[str]

    def do_GET(self) -> None:
        if self.path.startswith("/report?"):
            self.reports.put(urllib.parse.unquote(self.path.split("?", 1)[1]))
            self.send_response(204)
            self.end_headers()
            return
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def site(scanned, tmp_path: Path) -> Iterator[tuple[str, queue.Queue[str], Path]]:
    folder = tmp_path / "site"
    folder.mkdir()
    assert write_pdf(scanned.document, scanned.pdf, folder / "doc.pdf").status == "written"
    shutil.copy(PAGE, folder / "find.html")
    (folder / "pdfjs").symlink_to(PDFJS)
    reports: queue.Queue[str] = queue.Queue()
    handler = type("Handler", (_Handler,), {"reports": reports})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(folder))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/find.html", reports, tmp_path
    finally:
        server.shutdown()


def find_pages(site: tuple[str, queue.Queue[str], Path], phrase: str, marks: bool = True) -> list[int]:
    import json

    url, reports, tmp_path = site
    assert CHROMIUM is not None
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
        f"{url}?q={urllib.parse.quote(phrase)}&marks={int(marks)}",
    ]
    browser = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        report = json.loads(reports.get(timeout=90))
    finally:
        browser.terminate()
        browser.wait(timeout=30)
    assert "error" not in report, report
    assert report["numPages"] == 2
    if report["pages"]:
        assert report["selected"] == report["pages"][0]  # the viewer jumped to the first match
    return list(report["pages"])


def test_browser_finds_vietnamese_phrase_on_its_page(site) -> None:
    assert find_pages(site, "phòng chống đuối nước") == [1]
    assert find_pages(site, "dạy bơi an toàn dưới nước") == [2]


def test_browser_does_not_find_the_ocr_text(site) -> None:
    assert find_pages(site, "duoi nuoc") == []  # the OCR's reading is not in the layer
    # pdf.js's own mark-blind search finds "dưới" but not "đuối" (đ is a letter of its own, not d + a mark):
    # vnocr search folds đ too
    assert find_pages(site, "duoi nuoc", marks=False) == [2]
