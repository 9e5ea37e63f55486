"""create_app(settings) -> FastAPI. The pipeline and rules load once, in the lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from server import api
from server.engine import build_engine
from server.errors import install_error_handlers
from server.middleware import AccessLog, BodyLimit, SecurityHeaders
from server.safety import RiskDetector
from server.settings import Settings

log = logging.getLogger("mend")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.engine = build_engine(settings)
        app.state.safety = RiskDetector.load(settings.rules_dir / "safety")
        pipeline = app.state.engine.pipeline
        log.info("model %s, %d rules active", pipeline.name, len(app.state.engine.rules))
        yield

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
    app.include_router(api.router)
    if settings.web_dir.is_dir():
        app.mount("/", StaticFiles(directory=settings.web_dir, html=True), name="web")
    # The last added runs outermost: the access log sees every final status, and even a
    # 413 from the body limit passes through the security headers.
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(AccessLog)
    return app
