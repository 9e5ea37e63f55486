"""Routes of the workshop rooms: open, join, send a draft, the board (and its live view),
close; and the quiz built from the rules' examples."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from server.http.errors import ApiError
from server.http.mappers import checked_out
from server.http.room_schemas import (
    BoardOut,
    QuestionOut,
    QuizOut,
    QuizRuleOut,
    RoomCreated,
    RoomDraftRequest,
    RoomOut,
    RoomRequest,
    SharedDraftOut,
)
from server.http.routes import ERRORS, as_json, domain_errors
from server.http.schemas import AnalyzeResponse, Problem
from server.rooms.model import Board, Room, display_code
from server.rooms.quiz import Quiz
from server.rooms.service import (
    KeyMissing,
    KeyWrong,
    RoomFull,
    RoomNoDrafts,
    RoomNotFound,
    Rooms,
    TooManyTries,
)
from server.rules.schema import CATEGORIES

KEEPALIVE_SECONDS = 15.0

router = APIRouter(tags=["workshop"])
bearer = HTTPBearer(auto_error=False, description="The facilitator key of the room.")


def _problems(*statuses: int) -> dict[int | str, dict[str, object]]:
    extra: dict[int | str, dict[str, object]] = {
        s: {"model": Problem, "content": {"application/problem+json": {}}} for s in statuses
    }
    return {**ERRORS, **extra}


async def _rooms(request: Request) -> Rooms:
    rooms: Rooms = request.app.state.rooms
    return rooms


def _client(request: Request) -> str:
    """Who is guessing codes, for the rate limit only (kept as a digest, for a minute)."""
    return request.client.host if request.client else "unknown"


RoomsDep = Annotated[Rooms, Depends(_rooms)]
Key = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


@contextmanager
def room_errors() -> Iterator[None]:
    try:
        yield
    except RoomNotFound:
        raise ApiError(
            404, "There is no open room with that code. It may have closed or expired."
        ) from None
    except RoomFull:
        raise ApiError(409, "This room is full. Ask the facilitator about another.") from None
    except RoomNoDrafts:
        raise ApiError(409, "This room has taken all the drafts it can.") from None
    except KeyMissing:
        raise ApiError(
            401, "This needs the room's facilitator key.", headers={"WWW-Authenticate": "Bearer"}
        ) from None
    except KeyWrong:
        raise ApiError(403, "That is not this room's facilitator key.") from None
    except TooManyTries as error:
        raise ApiError(
            429,
            "Too many tries with room codes. Wait a minute, then check the code and try again.",
            headers={"Retry-After": str(error.retry_after)},
        ) from None


def room_out(room: Room) -> RoomOut:
    return RoomOut(code=display_code(room.code), title=room.title, expires_at=room.expires_at)


def board_out(board: Board) -> BoardOut:
    room = board.room
    return BoardOut(
        code=display_code(room.code),
        title=room.title,
        expires_at=room.expires_at,
        drafts=board.drafts,
        participants=board.participants,
        categories=board.categories,
        shared=[SharedDraftOut.model_validate_json(document) for document in board.shared],
    )


@router.post("/v1/rooms", status_code=201, response_model=RoomCreated, responses=ERRORS)
def open_room(body: RoomRequest, rooms: RoomsDep) -> Response:
    """Open a room for a workshop. Keep the facilitator key: it is shown only this once."""
    opened = rooms.open(body.title)
    room = opened.room
    created = RoomCreated(
        code=display_code(room.code), facilitator_key=opened.key, expires_at=room.expires_at
    )
    response = as_json(created)
    response.status_code = 201
    return response


@router.get("/v1/rooms/{code}", response_model=RoomOut, responses=_problems(404, 429))
def find_room(code: str, request: Request, rooms: RoomsDep) -> Response:
    """Whether a code names an open room, and its title (for the join page)."""
    with room_errors():
        return as_json(room_out(rooms.find(code, _client(request))))


@router.post(
    "/v1/rooms/{code}/join",
    status_code=201,
    response_model=RoomOut,
    responses=_problems(404, 409, 429),
)
def join_room(code: str, request: Request, rooms: RoomsDep) -> Response:
    """Take a seat in a room (each device once). Nothing about the device is kept."""
    with room_errors():
        response = as_json(room_out(rooms.join(code, _client(request))))
    response.status_code = 201
    return response


@router.post(
    "/v1/rooms/{code}/drafts",
    status_code=201,
    response_model=AnalyzeResponse,
    responses=_problems(404, 409, 429),
)
def send_draft(code: str, body: RoomDraftRequest, request: Request, rooms: RoomsDep) -> Response:
    """Check a draft as /v1/analyze does and count it in the room; its text reaches the
    board only when `share` is true."""
    with room_errors(), domain_errors(rooms.mend):
        checked = rooms.submit(code, _client(request), body.text, body.share)
    response = as_json(checked_out(checked))
    response.status_code = 201
    return response


@router.get("/v1/rooms/{code}/board", response_model=BoardOut, responses=_problems(401, 403, 404))
def board(code: str, rooms: RoomsDep, key: Key) -> Response:
    """What the room has produced: counts by category, and the drafts people shared."""
    with room_errors():
        return as_json(board_out(rooms.board(code, key.credentials if key else None)))


@router.get(
    "/v1/rooms/{code}/events",
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "board and closed events"},
        **_problems(401, 403, 404),
    },
)
def board_events(code: str, rooms: RoomsDep, key: Key) -> StreamingResponse:
    """The board, live (server-sent events): `board` at once and after each change,
    `closed` when the room closes or expires, a keep-alive comment every 15 s."""
    with room_errors():
        first = rooms.board(code, key.credentials if key else None)

    async def events() -> AsyncIterator[str]:
        current: Board | None = first
        version = -1
        while current is not None:
            if current.version != version:
                version = current.version
                yield f"event: board\ndata: {board_out(current).model_dump_json()}\n\n"
            else:
                yield ": keepalive\n\n"
            await rooms.store.wait_for_change(first.room.code, version, KEEPALIVE_SECONDS)
            current = await to_thread.run_sync(rooms.store.board, first.room.code)
        yield "event: closed\ndata: {}\n\n"

    headers = {"X-Accel-Buffering": "no"}  # a proxy in front must not hold events back
    return StreamingResponse(events(), media_type="text/event-stream", headers=headers)


@router.delete(
    "/v1/rooms/{code}", status_code=204, response_class=Response, responses=_problems(401, 403, 404)
)
def close_room(code: str, rooms: RoomsDep, key: Key) -> Response:
    """Close the room: it and every draft in it are deleted at once."""
    with room_errors():
        rooms.close(code, key.credentials if key else None)
    return Response(status_code=204)


async def _quiz(request: Request) -> Quiz:
    quiz: Quiz = request.app.state.quiz
    return quiz


@router.get("/v1/quiz", response_model=QuizOut, responses=ERRORS)
def quiz(
    quiz: Annotated[Quiz, Depends(_quiz)],
    questions: Annotated[int, Query(ge=1, le=20, description="How many questions.")] = 5,
    seed: Annotated[int | None, Query(description="The same seed, the same quiz.")] = None,
) -> Response:
    """Which of these sounds like blame, and why? Built from the rules' own examples."""
    out = [
        QuestionOut(
            options=list(question.options),
            answer=question.answer,
            rule=QuizRuleOut(
                id=question.rule.id,
                category=question.rule.category,
                category_label=CATEGORIES[question.rule.category],
                message=question.rule.message,
            ),
            why=question.rule.why,
            fix=question.rule.fix,
        )
        for question in quiz.questions(questions, seed)
    ]
    return as_json(QuizOut(questions=out))
