"""The review app: a Starlette application over one batch output folder.

JSON API (the page in ``static/`` uses nothing else):

- ``GET /api/documents``: every document with its counts of flags (open and all) and its title;
- ``GET /api/queue[?document=ID][&status=open|all][&limit=N]``: flagged words, least confident first;
- ``GET /api/document?id=ID``: pages (restored text, image URL), metadata, preamble, section tree;
- ``GET /api/page-image?document=ID&page=N``: the page image (JPEG, rendered once, then cached);
- ``GET /api/corrections[?document=ID]``: the corrections kept;
- ``POST /api/corrections``: ``{document, page, line, start, original, chosen, corrected[, reviewer]}``
  (``chosen``: the word as the output has it now; ``corrected == chosen`` accepts it): 200 with the new line,
  409 when the output no longer holds ``chosen`` there (another tab or server changed it);
- ``POST /api/metadata``: ``{document, field, value[, reviewer]}``;
- ``GET /files/PATH``: an output file of the folder (txt, md, json, pdf, xml, csv).

Safety: every id is looked up among the folder's documents (unknown → 404); files outside the folder or
hidden are 404; responses carry a Content-Security-Policy without inline script; a POST must be JSON and,
when the browser says where it comes from, come from the app's own origin.
"""

from __future__ import annotations

import contextlib
import getpass
import logging
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..models import record_json
from ..structure.model import DocumentMetadata
from ..textio import atomic_write_text
from .corrections import (
    METADATA_FIELDS,
    Correction,
    CorrectionStore,
    apply_metadata,
    apply_word,
    save,
    write_lexicon,
)
from .flags import (
    DISPLAY_DPI,
    FlagKey,
    explained_alternatives,
    find_page,
    page_image_url,
    queue_items,
    sort_queue,
)
from .folder import DocumentFiles, OutputFolder
from .pages import page_image

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
MAX_WORD = 200
#: Host names of the local machine: a server bound to one of them answers only requests addressed to them.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
MAX_FIELD = 4000
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


class BadRequest(Exception):
    """A request the API refuses (answered with its status and message)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class ReviewState:
    """What the app keeps between requests: the folder, the corrections and a few caches."""

    def __init__(self, output_dir: Path, sources: Path | None = None, reviewer: str | None = None) -> None:
        self.folder = OutputFolder(output_dir)
        self.store = CorrectionStore(self.folder)
        self.sources = sources
        self.reviewer = reviewer or _user()
        self._corrections: tuple[tuple[int, int], list[Correction]] = ((-1, -1), [])
        self._alternatives: dict[str, tuple[int, dict[tuple[int, int, int], list[list[Any]]]]] = {}
        self._lock = threading.Lock()

    def corrections(self) -> list[Correction]:
        """Every correction kept (re-read when the file changed)."""
        path = self.folder.corrections_path
        stat = path.stat() if path.is_file() else None
        key = (stat.st_mtime_ns, stat.st_size) if stat else (0, 0)
        with self._lock:
            if self._corrections[0] != key:
                self._corrections = (key, self.store.read())
            return self._corrections[1]

    def reviewed(self) -> dict[FlagKey, dict[str, Any]]:
        """The last word correction of each flagged token."""
        return {c.key: c.to_dict() for c in self.corrections() if c.kind == "word"}

    def document(self, doc_id: str) -> DocumentFiles:
        files = self.folder.find(doc_id)
        if files is None:
            raise BadRequest(404, "no such document")
        return files

    def alternatives(
        self, files: DocumentFiles, record: dict[str, Any]
    ) -> dict[tuple[int, int, int], list[list[Any]]]:
        """Alternatives for a record whose flagged entries lack them (computed once per record version)."""
        flagged = (record.get("restoration") or {}).get("flagged_for_review") or []
        if all("alternatives" in entry for entry in flagged):
            return {}
        version = files.json.stat().st_mtime_ns
        cached = self._alternatives.get(files.id)
        if cached is None or cached[0] != version:
            cached = (version, explained_alternatives(record))
            self._alternatives[files.id] = cached
        return cached[1]

    def items(
        self, files: DocumentFiles, reviewed: dict[FlagKey, dict[str, Any]] | None = None
    ) -> list[dict[str, Any]]:
        """The document's queue items (``reviewed``: :meth:`reviewed`, when the caller has it already)."""
        record = self.folder.record(files)
        reviewed = self.reviewed() if reviewed is None else reviewed
        return queue_items(files.id, record, reviewed, self.alternatives(files, record))


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # pragma: no cover - a user without a name
        return "reviewer"


def _int(body: dict[str, Any], name: str) -> int:
    value = body.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise BadRequest(400, f"{name}: a non-negative integer is required")
    return value


def _word(body: dict[str, Any], name: str, *, empty: bool = False) -> str:
    value = body.get(name)
    if not isinstance(value, str) or len(value) > MAX_WORD or any(c in value for c in "\n\r\f"):
        raise BadRequest(400, f"{name}: a word on one line is required")
    if not empty and not value.strip():
        raise BadRequest(400, f"{name}: must not be empty")
    return value


# ---- handlers (plain functions run in the thread pool) ----


def list_documents(state: ReviewState, params: dict[str, str]) -> Any:
    out = []
    reviewed = state.reviewed()
    for doc_id, files in state.folder.documents().items():
        try:
            record = state.folder.record(files)
        except (OSError, ValueError):
            continue
        flagged = (record.get("restoration") or {}).get("flagged_for_review") or []
        done = sum(
            1
            for e in flagged
            if (doc_id, int(e.get("page", 1)), e["line"], e["start"], e["original"]) in reviewed
        )
        meta = record.get("metadata") or {}
        out.append(
            {
                "id": doc_id,
                "pages": len(record.get("pages") or []),
                "flags": len(flagged),
                "open": len(flagged) - done,
                "doc_type": meta.get("doc_type"),
                "title": meta.get("title"),
            }
        )
    return {"documents": out}


def get_queue(state: ReviewState, params: dict[str, str]) -> Any:
    documents = state.folder.documents()
    if params.get("document"):
        documents = {params["document"]: state.document(params["document"])}
    items: list[dict[str, Any]] = []
    reviewed = state.reviewed()
    for files in documents.values():
        try:
            items += state.items(files, reviewed)
        except (OSError, ValueError) as exc:
            log.warning("%s: skipped (%s)", files.id, exc)
    status = params.get("status", "open")
    total, open_count = len(items), sum(item["status"] == "open" for item in items)
    if status != "all":
        items = [item for item in items if item["status"] == status]
    limit = int(params["limit"]) if params.get("limit", "").isdigit() else 500
    return {"total": total, "open": open_count, "items": sort_queue(items)[:limit]}


def get_document(state: ReviewState, params: dict[str, str]) -> Any:
    files = state.document(params.get("id", ""))
    record = state.folder.record(files)
    pages = []
    for index, page in enumerate(record.get("pages") or []):
        number = int(page.get("number", index + 1))
        pages.append(
            {
                "number": number,
                "text": page.get("text", ""),
                "image": page_image_url(files.id, number) if page.get("image_size") else None,
            }
        )
    relative = files.stem.relative_to(state.folder.root).as_posix()
    return {
        "id": files.id,
        "source": record.get("source"),
        "pages": pages,
        "metadata": record.get("metadata") or {},
        "editable": list(METADATA_FIELDS),
        "preamble": record.get("preamble", ""),
        "sections": record.get("sections") or [],
        "closing": record.get("closing", ""),
        "files": {s: f"/files/{relative}.{s}" for s in ("txt", "md", "json")},
        "queue": state.items(files),
    }


def post_correction(state: ReviewState, body: dict[str, Any]) -> Any:
    files = state.document(str(body.get("document", "")))
    correction = Correction(
        document=files.id,
        page=_int(body, "page"),
        line=_int(body, "line"),
        start=_int(body, "start"),
        original=_word(body, "original"),
        chosen=_word(body, "chosen"),
        corrected=_word(body, "corrected").strip(),
        reviewer=str(body.get("reviewer") or state.reviewer)[:80],
    )
    with state.folder.locked():
        record = state.folder.fresh_record(files)
        outcome = apply_word(record, correction)
        if outcome == "mismatch":
            raise BadRequest(409, "the output no longer holds this word here: reload the queue")
        ref = find_page(record, correction.page)
        line_text = ref.page["text"].split("\n")[correction.line - 1] if ref else None
        if outcome == "applied":
            state.store.append(correction)
            everything = state.store.read()
            if correction.corrected != correction.chosen:
                save(state.folder, files, record, everything)
            else:  # accepted: the text stays; only the record notes the review
                atomic_write_text(files.json, record_json(record) + "\n")
            write_lexicon(state.folder, everything)
    return {"outcome": outcome, "correction": correction.to_dict(), "line_text": line_text}


def post_metadata(state: ReviewState, body: dict[str, Any]) -> Any:
    files = state.document(str(body.get("document", "")))
    name, value = body.get("field"), body.get("value")
    if name not in METADATA_FIELDS:
        raise BadRequest(400, f"field: one of {', '.join(METADATA_FIELDS)}")
    if isinstance(value, list):
        value = "\n".join(str(v) for v in value)
    if not isinstance(value, str) or len(value) > MAX_FIELD:
        raise BadRequest(400, "value: text is required")
    correction = Correction(
        document=files.id,
        kind="metadata",
        field=str(name),
        value=value,
        reviewer=str(body.get("reviewer") or state.reviewer)[:80],
    )
    apply_metadata(
        DocumentMetadata(), correction.field, value
    )  # refuses what it cannot set, before keeping it
    with state.folder.locked():
        record = state.folder.fresh_record(files)
        state.store.append(correction)
        save(state.folder, files, record, state.store.read(files.id))
    return {"metadata": record.get("metadata"), "correction": correction.to_dict()}


def list_corrections(state: ReviewState, params: dict[str, str]) -> Any:
    document = params.get("document") or None
    return {"corrections": [c.to_dict() for c in state.corrections() if document in (None, c.document)]}


# ---- the Starlette app ----


def create_app(
    output_dir: Path,
    sources: Path | None = None,
    reviewer: str | None = None,
    allowed_hosts: list[str] | None = None,
) -> Starlette:
    """The review app over ``output_dir`` (``sources``: the batch's INPUT_DIR, to find page images;
    ``allowed_hosts``: the only Host headers answered, against DNS rebinding; None answers any)."""
    state = ReviewState(output_dir, sources, reviewer)

    def getter(
        handler: Callable[[ReviewState, dict[str, str]], Any],
    ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            try:
                result = await run_in_threadpool(handler, state, dict(request.query_params))
            except BadRequest as exc:
                return _json({"error": str(exc)}, exc.status)
            return _json(result)

        return endpoint

    def poster(
        handler: Callable[[ReviewState, dict[str, Any]], Any],
    ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            if not request.headers.get("content-type", "").startswith("application/json"):
                return _json({"error": "a JSON body is required"}, 415)
            origin = request.headers.get("origin")
            if origin and origin.split("://", 1)[-1] != request.headers.get("host"):
                return _json({"error": "cross-origin request refused"}, 403)
            try:
                body = await request.json()
                if not isinstance(body, dict):
                    raise BadRequest(400, "a JSON object is required")
                result = await run_in_threadpool(handler, state, body)
            except BadRequest as exc:
                return _json({"error": str(exc)}, exc.status)
            except ValueError as exc:
                return _json({"error": f"bad request: {exc}"}, 400)
            return _json(result)

        return endpoint

    async def index(request: Request) -> Response:
        return FileResponse(STATIC / "index.html", headers=SECURITY_HEADERS)

    async def image(request: Request) -> Response:
        params = request.query_params
        files = state.folder.find(params.get("document", ""))
        number = params.get("page", "")
        if files is None or not number.isdigit():
            return _json({"error": "no such page"}, 404)
        path = await run_in_threadpool(page_image, state.folder, files, int(number), state.sources)
        if path is None:
            return _json({"error": "no image for this page"}, 404)
        return FileResponse(
            path, media_type="image/jpeg", headers={**SECURITY_HEADERS, "Cache-Control": "max-age=3600"}
        )

    async def output_file(request: Request) -> Response:
        path = state.folder.served_file(request.path_params["path"])
        if path is None:
            return _json({"error": "not found"}, 404)
        media = {".json": "application/json", ".pdf": "application/pdf", ".xml": "application/xml"}
        return FileResponse(
            path, media_type=media.get(path.suffix, "text/plain; charset=utf-8"), headers=SECURITY_HEADERS
        )

    routes = [
        Route("/", index),
        Route("/api/documents", getter(list_documents)),
        Route("/api/queue", getter(get_queue)),
        Route("/api/document", getter(get_document)),
        Route("/api/page-image", image),
        Route("/api/corrections", getter(list_corrections), methods=["GET"]),
        Route("/api/corrections", poster(post_correction), methods=["POST"]),
        Route("/api/metadata", poster(post_metadata), methods=["POST"]),
        Route("/files/{path:path}", output_file),
        Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
    ]
    middleware = [Middleware(SecurityHeaders)]
    if allowed_hosts is not None:
        middleware.append(Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts))
    from ..outputs import refresh

    refresh.PDF_IN_BACKGROUND = True  # a correction's answer does not wait for x.pdf (seconds a page)
    app = Starlette(routes=routes, middleware=middleware, lifespan=_lifespan)
    app.state.review = state
    return app


class SecurityHeaders:
    """ASGI middleware: the security headers on every response that lacks them (static files too)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _json(data: Any, status: int = 200) -> Response:
    return JSONResponse(data, status_code=status, headers=SECURITY_HEADERS)


@contextlib.asynccontextmanager
async def _lifespan(app: Starlette) -> AsyncIterator[None]:
    """When the server stops: render the searchable PDFs still waiting for corrections to pause."""
    yield
    from ..outputs.refresh import flush_pending_pdfs

    rendered = flush_pending_pdfs()
    if rendered:
        log.info("review: %d searchable PDF(s) re-rendered with the corrections", rendered)


def serve(
    output_dir: Path,
    host: str = "127.0.0.1",
    port: int = 8765,
    sources: Path | None = None,
    reviewer: str | None = None,
) -> None:
    """Run the review app with uvicorn until interrupted."""
    import uvicorn

    loopback = host in LOOPBACK_HOSTS
    app = create_app(output_dir, sources, reviewer, allowed_hosts=list(LOOPBACK_HOSTS) if loopback else None)
    log.info("review: %s on http://%s:%d/ (display %d dpi)", output_dir, host, port, DISPLAY_DPI)
    uvicorn.run(app, host=host, port=port, log_level="warning")
