"""Wire models of the workshop-room API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from server.http.schemas import Draft, FlagOut, _Request, _Response

# Stripped, so a title of only spaces or line breaks is empty; the pattern (one character
# that is not white space) says so in the OpenAPI document too. Python strips more than a
# JSON Schema "\s" names (U+0085 and U+001C-U+001F as well): those are left out by name, so
# every title the document allows is still one after stripping.
Title = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=120, pattern=r"[^\s\x1c-\x1f\x85]"
    ),
]


class RoomRequest(_Request):
    title: Title = Field(description="What the session is called, shown on the join page.")


class RoomCreated(_Response):
    code: str = Field(description="What participants type to join, e.g. 'K7QM-3XHD'.")
    facilitator_key: str = Field(
        description="Opens the board and closes the room: send as 'Authorization: Bearer <key>'."
        " Shown once; Mend keeps only a digest of it."
    )
    expires_at: datetime


class RoomOut(_Response):
    code: str
    title: str
    expires_at: datetime


class RoomDraftRequest(_Request):
    text: Draft
    share: bool = Field(
        default=False,
        description="Show this draft's text on the board. Unshared drafts are only counted.",
    )


class SharedDraftOut(_Response):
    text: str
    flags: list[FlagOut]


class BoardOut(_Response):
    code: str
    title: str
    expires_at: datetime
    drafts: int = Field(description="Drafts sent to the room so far.")
    participants: int = Field(description="Devices that joined.")
    categories: dict[str, int] = Field(
        description="Blaming flags (warnings and errors) by category, over every draft."
    )
    shared: list[SharedDraftOut] = Field(description="Shared drafts, newest first; no names.")


class QuizRuleOut(_Response):
    id: str
    category: str
    category_label: str
    message: str


class QuestionOut(_Response):
    options: list[str]
    answer: int = Field(description="Index of the option that sounds like blame.")
    rule: QuizRuleOut
    why: str
    fix: str


class QuizOut(_Response):
    questions: list[QuestionOut]
