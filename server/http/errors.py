"""One error format for every failure: RFC 9457 problem+json, never echoing the input."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Route

from server.http.schemas import Problem

log = logging.getLogger("mend.api")
PROBLEM_JSON = "application/problem+json"


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_JSON


def problem(status: int, detail: str, errors: list[dict[str, str]] | None = None) -> JSONResponse:
    body = Problem(title=HTTPStatus(status).phrase, status=status, detail=detail, errors=errors)
    return ProblemResponse(body.model_dump(exclude_none=True), status_code=status)


class ApiError(Exception):
    """Raised by handlers for a request that is well-formed JSON but asks for something wrong."""

    def __init__(
        self,
        status: int,
        detail: str,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(detail)
        self.status, self.detail, self.errors = status, detail, errors
        self.headers = headers or {}


def _plain(error: dict[str, Any]) -> dict[str, str]:
    """Where and what, without the submitted value (pydantic puts it in 'input' and 'ctx')."""
    location = ".".join(str(part) for part in error.get("loc", ()))
    message = str(error.get("msg", "invalid value"))
    if error.get("type") == "string_too_long" and location.endswith("text"):
        limit = error.get("ctx", {}).get("max_length")
        message = f"Your message is over {limit:,} characters." if limit else message
    return {"field": location, "problem": message}


def _allowed(request: Request) -> list[str]:
    """Every method some route takes at this path. Starlette names only the first route's,
    and a room's address has two (GET and DELETE), each its own route."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        if isinstance(route, Route) and route.matches(request.scope)[0] is not Match.NONE:
            methods |= route.methods or set()
    return sorted(methods)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [_plain(error) for error in exc.errors()][:20]
        return problem(422, "The request is not valid: " + errors[0]["problem"], errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = {
            404: "There is nothing at this address.",
            405: "This address does not accept that method.",
        }.get(exc.status_code, str(exc.detail))
        response = problem(exc.status_code, detail)
        if exc.headers:
            response.headers.update(exc.headers)
        if exc.status_code == 405:
            response.headers["Allow"] = ", ".join(_allowed(request))
        return response

    @app.exception_handler(ApiError)
    async def _api(_: Request, exc: ApiError) -> JSONResponse:
        response = problem(exc.status, exc.detail, exc.errors)
        response.headers.update(exc.headers)
        return response

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        # The exception type only: its message could quote the draft.
        log.error("unhandled %s", type(exc).__name__)
        return problem(500, "Something went wrong on our side. Nothing you sent was kept.")
