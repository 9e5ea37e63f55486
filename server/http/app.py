"""create_app(settings) -> FastAPI.

The rules load when the app is made (a bad rule file stops start-up at once, and the OpenAPI
document can list the rule ids and profiles); the Mend service, with the spaCy pipeline, loads
once, in the lifespan.
"""

from __future__ import annotations

import ctypes
import gc
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from anyio import to_thread
from fastapi import FastAPI, Request, Response
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles

from server.http import rooms, routes
from server.http.errors import install_error_handlers
from server.http.middleware import AccessLog, BodyLimit, SecurityHeaders
from server.rooms.quiz import Quiz
from server.rooms.service import Rooms
from server.rooms.store import open_store
from server.rules.cache import load_rules_cached
from server.rules.load import RuleSet
from server.service import Mend
from server.settings import Settings


def add_web_routes(app: FastAPI, web_dir: Path) -> None:
    """One GET route per file in web/ ("/" is index.html).

    Explicit routes rather than a catch-all mount at "/": a mount would also answer
    wrong-method requests to API paths (GET /v1/analyze), which must get 405, not 404.
    """
    static = StaticFiles(directory=web_dir)

    def route_for(name: str) -> Callable[[Request], Awaitable[Response]]:
        async def serve(request: Request) -> Response:
            return await static.get_response(name, request.scope)

        return serve

    for file in sorted(path for path in web_dir.rglob("*") if path.is_file()):
        name = file.relative_to(web_dir).as_posix()
        for path in ["/", f"/{name}"] if name == "index.html" else [f"/{name}"]:
            app.add_api_route(
                path, route_for(name), methods=["GET", "HEAD"], include_in_schema=False
            )


def document_choices(app: FastAPI, ruleset: RuleSet, max_chars: int) -> None:
    """Name the allowed profiles and rule ids, and the MEND_MAX_CHARS limit, in the OpenAPI
    document: they are data and settings, so the request models can't hold them, but clients
    and schema-driven tests should see them."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title, version=app.version, summary=app.summary, routes=app.routes
            )
            models = schema["components"]["schemas"]
            for name in ("AnalyzeRequest", "RewriteRequest"):
                properties = models[name]["properties"]
                properties["profile"]["enum"] = list(ruleset.profiles)
                properties["text"]["maxLength"] = max_chars
                if "disable" in properties:
                    properties["disable"]["items"]["enum"] = [rule.id for rule in ruleset.rules]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _release_freed_memory() -> None:
    """Hand the memory freed after loading (parsed YAML, expanded word lists) back to the
    system: glibc keeps freed memory in the process otherwise (measured: 6 MiB of a worker's
    resident memory). Elsewhere than glibc, nothing to do."""
    # The process's own symbols include the C library's: no search for it on disk (which
    # ctypes.util.find_library does by running ldconfig).
    trim = getattr(ctypes.CDLL(None), "malloc_trim", None)
    if trim is not None:
        trim(0)


def settle() -> None:
    """Once everything is loaded: what was loaded lives as long as the process, so move it out
    of the collector's sight. Each collection during a request then walks only the request's
    own objects (measured: the model, rules and lexicons made every collection several times
    dearer), and in workers forked after this, the collector never writes to (and so never
    copies) the pages they share with their parent. `mend serve` loads with the collector
    off; it is turned on here.

    No gc.collect() first: loading leaves no cyclic garbage to free (measured: it found 0
    objects, and walking everything loaded to find them took 70 ms of the start-up)."""
    gc.freeze()
    gc.enable()
    _release_freed_memory()


def create_app(settings: Settings | None = None, mend: Mend | None = None) -> FastAPI:
    """The app. With `mend`, one loaded before (see server/http/prefork.py), that service is
    used; otherwise each process loads its own when it starts serving."""
    settings = settings or Settings()
    ruleset = (
        mend.engine.ruleset if mend else load_rules_cached(settings.rules_dir, settings.cache_dir)
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        service = mend or Mend.load(settings, ruleset)
        app.state.mend = service
        # Opened here, in the process that serves: a database connection or a Redis pool
        # must not be shared with a forked process.
        store = open_store(settings)
        app.state.rooms = Rooms(store, service, settings)
        app.state.quiz = Quiz(service.engine)
        if mend is None:
            settle()
        # The routes are plain `def`, run in anyio's thread pool (40 threads by default).
        to_thread.current_default_thread_limiter().total_tokens = settings.threads
        try:
            yield
        finally:
            store.close()

    app = FastAPI(
        title="Mend",
        summary="Find the blame in a draft and say it as 'I feel ...'. Private and offline.",
        version="0.1.0",
        lifespan=lifespan,
        # Swagger UI loads its assets from a CDN, which our CSP and offline promise forbid.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    install_error_handlers(app)
    app.include_router(routes.router)
    app.include_router(rooms.router)
    document_choices(app, ruleset, settings.max_chars)
    if settings.web_dir.is_dir():
        add_web_routes(app, settings.web_dir)
    # The last added runs outermost: the access log sees every final status, and even a
    # 413 from the body limit passes through the security headers.
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(AccessLog)
    return app
