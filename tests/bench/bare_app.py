"""The baseline for bench_http.py: a FastAPI app that only runs spaCy on the text.

It loads the same pipeline as Mend (same model, same components left out) and answers
POST /v1/analyze with the token count, so the difference between the two apps is Mend's own
work: rules, risk check, suggestions and response models.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from pydantic import BaseModel, Field

from server.core.nlp import load_pipeline
from server.settings import Settings


class Draft(BaseModel):
    text: str = Field(min_length=1, max_length=5000)


def create_app() -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.nlp = load_pipeline(Settings().model).nlp
        yield

    app = FastAPI(lifespan=lifespan)

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/v1/analyze")
    def analyze(body: Draft, request: Request) -> dict[str, int]:
        return {"tokens": len(request.app.state.nlp(body.text))}

    return app
