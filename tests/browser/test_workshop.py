"""Workshop rooms in a real browser: a facilitator's live board, participants on their own
devices, the quiz, the printable worksheet, closing a room, and the pages' accessibility.

Every page here passes the conftest checks at teardown: no dialog, no script or console
error, no request to any other origin. A test that makes the server answer 404, 409 or 429
on purpose says so, and only the browser's own line for that status is let through.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from .conftest import Session

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"
SHARED = f"Mom, you never call me back. {XSS}"
UNSHARED = "It's all your fault. You're so selfish."
RISK = "Some days I want to kill myself."
LATER = "You always leave me to sort things out."
CODE = re.compile(r"^[23456789ABCDEFGHJKMNPQRSTVWXYZ]{4}-[23456789ABCDEFGHJKMNPQRSTVWXYZ]{4}$")
STEPS = ["Choose one conflict", "Identify your feelings", "Determine the sources of the problem"]
# Chromium prints one console line for every failed fetch; tests that expect a status allow it.
HTTP_ERROR_LINE = "console: Failed to load resource: the server responded with a status of {}"

OpenTab = Callable[[], Session]


def analyze(app_url: str, text: str) -> dict[str, Any]:
    response = httpx.post(f"{app_url}/v1/analyze", json={"text": text}, timeout=30)
    response.raise_for_status()
    result: dict[str, Any] = response.json()
    return result


def blaming_by_category(result: dict[str, Any]) -> Counter[str]:
    return Counter(
        flag["category"] for flag in result["flags"] if flag["severity"] in ("warning", "error")
    )


def category_labels(app_url: str) -> dict[str, str]:
    rules = httpx.get(f"{app_url}/v1/rules", timeout=30).json()["rules"]
    return {rule["category"]: rule["category_label"] for rule in rules}


def allow_http_errors(session: Session, *statuses: int) -> None:
    """Drop the browser's console line for statuses this test made the server answer."""
    allowed = {HTTP_ERROR_LINE.format(status) for status in statuses}
    session.errors[:] = [e for e in session.errors if not any(e.startswith(a) for a in allowed)]


def open_room(page: Page, title: str = "Tuesday evening group") -> str:
    """Open a room from the facilitator's page; return its code once the board is live."""
    page.goto("/workshop.html")
    page.get_by_label("Name of the session").fill(title)
    page.get_by_role("button", name="Open the room").click()
    code = page.locator("#room-code")
    expect(code).to_have_text(CODE)
    expect(page.locator("#live-state")).to_contain_text("Live")
    return code.text_content() or ""


def join(page: Page, code: str) -> None:
    page.goto(f"/join.html?code={code}")
    expect(page.locator("#code")).to_have_value(code)
    page.get_by_role("button", name="Join").click()
    expect(page.locator("#room-panel")).to_be_visible()


def send(page: Page, text: str, *, share: bool) -> None:
    """Check a draft in the room (sharing it only if asked) and wait for the answer."""
    page.locator("#draft").fill(text)
    box = page.get_by_label("Share this draft's words with the facilitator")
    expect(box).not_to_be_checked()  # never on unless the person turns it on
    if share:
        box.check()
    with page.expect_response(lambda r: "/drafts" in r.url):
        page.get_by_role("button", name="Check it").click()


def assert_axe_clean(page: Page) -> None:
    axe = Axe()
    reports = []
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        results = axe.run(page)
        if results.violations_count:
            reports.append(f"{scheme}: {results.generate_report()}")
    page.emulate_media(color_scheme="light")
    assert reports == [], "\n".join(reports)


def assert_no_sideways_scroll(page: Page, what: str) -> None:
    sizes = page.evaluate(
        "() => [document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]"
    )
    assert sizes[0] <= sizes[1], f"{what} scrolls sideways at 320 px: {sizes}"


def test_a_room_from_opening_to_closing(tab: Session, open_tab: OpenTab, app_url: str) -> None:
    board = tab.page
    code = open_room(board)
    link = board.locator("#join-link")
    assert link.get_attribute("href") == f"{app_url}/join.html?code={code}"
    expect(board.locator("#board-summary")).to_contain_text("No drafts yet")
    board.evaluate("() => { window.sameDocument = true; }")  # gone if the page reloads

    first, second = open_tab(), open_tab()
    join(first.page, code.lower())
    expect(first.page.locator("#room-heading")).to_have_text("You're in: Tuesday evening group")
    # The other device types the code by hand, with a space instead of the dash.
    second.page.goto("/join.html")
    second.page.get_by_label("Room code").fill(code.replace("-", " ").lower())
    second.page.get_by_label("Room code").press("Enter")
    expect(second.page.locator("#room-panel")).to_be_visible()
    expect(board.locator("#participant-count")).to_have_text("2")

    send(first.page, SHARED, share=True)
    expect(first.page.locator("#send-status")).to_contain_text("shared with the facilitator")
    send(second.page, UNSHARED, share=False)
    expect(second.page.locator("#send-status")).to_contain_text("your words were not shared")

    # The participant sees the flags as on the main page, and I-statements to try.
    shared_result = analyze(app_url, SHARED)
    page = first.page
    expect(page.locator("#summary")).to_have_text(f"{shared_result['summary']['headline']}.")
    items = page.locator("#flag-list > li")
    expect(items).to_have_count(len(shared_result["flags"]))
    for flag in shared_result["flags"]:
        expect(items.filter(has_text=flag["text"])).to_contain_text(flag["message"])
    marks = [m.text_content() for m in page.locator("#checked-text mark").all()]
    assert marks == [flag["text"] for flag in shared_result["flags"]]
    expect(page.locator("#cards .card-text").first).to_contain_text("I feel ")
    expect(page.get_by_label("Share this draft's words with the facilitator")).not_to_be_checked()

    # The board follows without a reload: two drafts, the counts by kind, one shared text.
    expect(board.locator("#draft-count")).to_have_text("2")
    expected = blaming_by_category(shared_result) + blaming_by_category(analyze(app_url, UNSHARED))
    assert len(expected) >= 2
    labels = category_labels(app_url)
    kinds = board.locator("#kinds > li")
    expect(kinds).to_have_count(len(expected))
    shown = {
        item.get_attribute("data-category"): (
            item.locator(".kind-label").text_content(),
            item.locator(".kind-count").text_content(),
        )
        for item in kinds.all()
    }
    assert shown == {cat: (labels[cat], str(n)) for cat, n in expected.items()}
    drafts = board.locator("#shared > li")
    expect(drafts).to_have_count(1)
    expect(drafts.first.locator(".shared-text")).to_have_text(SHARED)
    highlighted = [m.text_content() for m in drafts.first.locator("mark").all()]
    assert highlighted == [flag["text"] for flag in shared_result["flags"]]
    flag_list = drafts.first.locator(".shared-flags > li")
    expect(flag_list).to_have_count(len(shared_result["flags"]))
    assert UNSHARED not in (board.locator("main").text_content() or "")
    assert "selfish" not in board.content()
    assert board.locator("img[src='x'], [onerror]").count() == 0
    assert board.evaluate("() => window.sameDocument") is True
    expect(board.locator("#board-summary")).to_contain_text("2 drafts so far")

    # Nothing about a draft is kept in any browser; the board's tab holds only its room.
    for session in (first, second):
        assert session.page.evaluate("() => [localStorage.length, sessionStorage.length]") == [0, 0]
    stored = board.evaluate("() => [localStorage.length, JSON.stringify({...sessionStorage})]")
    assert stored[0] == 0
    assert code in stored[1]
    assert "never" not in stored[1]
    assert "selfish" not in stored[1]

    # Closing asks once more on the page itself (no browser dialog), then deletes the room.
    board.get_by_role("button", name="Close the room").click()
    expect(board.locator("#close-question")).to_be_focused()
    board.get_by_role("button", name="Yes, close and delete it").click()
    expect(board.locator("#page-status")).to_contain_text("The room is closed")
    expect(board.locator("#open-panel")).to_be_visible()
    assert httpx.get(f"{app_url}/v1/rooms/{code}", timeout=30).status_code == 404
    assert board.evaluate("() => sessionStorage.length") == 0

    send(first.page, LATER, share=False)
    status = first.page.locator("#send-status")
    expect(status).to_contain_text("This room has closed")
    expect(status.get_by_role("link", name="Go to the main page")).to_have_attribute("href", "/")
    allow_http_errors(first, 404)


def test_keep_it_open_cancels_closing(tab: Session, app_url: str) -> None:
    page = tab.page
    code = open_room(page)
    ask = page.get_by_role("button", name="Close the room")
    ask.click()
    expect(ask).to_have_attribute("aria-expanded", "true")
    page.get_by_role("button", name="Keep it open").click()
    expect(page.locator("#close-confirm")).to_be_hidden()
    expect(ask).to_be_focused()
    assert httpx.get(f"{app_url}/v1/rooms/{code}", timeout=30).status_code == 200


def test_a_reload_keeps_the_board_and_quick_exit_forgets_it(tab: Session) -> None:
    page = tab.page
    code = open_room(page)
    page.reload()
    expect(page.locator("#room-code")).to_have_text(code)
    expect(page.locator("#live-state")).to_contain_text("Live")
    page.keyboard.press("Escape")
    page.wait_for_url("**/recipe.html")
    assert page.evaluate("() => sessionStorage.length") == 0
    page.goto("/workshop.html")
    expect(page.locator("#open-panel")).to_be_visible()
    expect(page.locator("#room-panel")).to_be_hidden()


def test_the_quiz_shows_a_question_and_reveals_its_answer(tab: Session, app_url: str) -> None:
    page = tab.page
    open_room(page)
    with page.expect_response(lambda r: "/v1/quiz" in r.url) as answered:
        page.get_by_role("button", name="Start the quiz").click()
    questions = answered.value.json()["questions"]
    assert len(questions) == 5
    listed = httpx.get(f"{app_url}/v1/rules", timeout=30).json()["rules"]
    rules = {rule["id"]: rule for rule in listed}
    clean = {text for rule in rules.values() for text in rule["examples"]["no_match"]}

    for number, question in enumerate(questions[:2], start=1):
        progress = f"Question {number} of {len(questions)}"
        expect(page.locator("#quiz-progress")).to_have_text(progress)
        expect(page.locator("#quiz-question")).to_be_focused()
        options = page.locator("#quiz-options > li .quiz-text")
        expect(options).to_have_count(3)
        assert [o.text_content() for o in options.all()] == question["options"]
        # What the page is about to reveal is true of the rules themselves.
        rule = rules[question["rule"]["id"]]
        blaming = question["options"][question["answer"]]
        assert blaming in [example["text"] for example in rule["examples"]["match"]]
        assert all(o in clean for i, o in enumerate(question["options"]) if i != question["answer"])
        expect(page.locator(".quiz-option.is-answer")).to_have_count(0)

        page.get_by_role("button", name="Show the answer").click()
        answer = page.locator(".quiz-option.is-answer")
        expect(answer).to_have_count(1)
        expect(answer.locator(".quiz-text")).to_have_text(blaming)
        expect(answer).to_contain_text("Sounds like blame")
        revealed = page.locator("#quiz-answer")
        assert revealed.get_attribute("role") == "status"
        expect(revealed).to_contain_text(rule["message"])
        expect(revealed).to_contain_text(question["why"])
        expect(revealed).to_contain_text(question["fix"])
        next_button = page.get_by_role("button", name="Next question")
        expect(next_button).to_be_focused()
        next_button.click()


def test_the_worksheet_has_three_steps_the_lists_and_prints_on_one_page(
    tab: Session, app_url: str
) -> None:
    lexicon = httpx.get(f"{app_url}/v1/lexicon", timeout=30).json()
    page = tab.page
    page.goto("/worksheet.html")
    page.wait_for_function("() => !document.querySelector('[aria-busy]')")
    headings = [h.text_content() or "" for h in page.locator(".step h2").all()]
    assert len(headings) == 3
    for heading, step in zip(headings, STEPS, strict=True):
        assert step in heading
    expect(page.locator(".step").first).to_contain_text("Not the most serious one")
    families = page.locator(".family")
    expect(families).to_have_count(len(lexicon["families"]))
    for family, shown in zip(lexicon["families"], families.all(), strict=True):
        expect(shown.locator("dt")).to_have_text(family["label"])
        expect(shown.locator("dd")).to_have_text(", ".join(family["words"]))
    needs = [li.text_content() for li in page.locator(".need-list > li").all()]
    assert needs == [need["label"] for need in lexicon["needs"]]
    for box in page.locator("textarea.write").all():
        box_id = box.get_attribute("id")
        expect(page.locator(f"label[for='{box_id}']")).to_be_visible()
    expect(page.get_by_role("button", name="Print the worksheet")).to_be_visible()

    page.emulate_media(media="print")
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.locator("nav").first).to_be_hidden()
    expect(page.get_by_role("button", name="Print the worksheet")).to_be_hidden()
    expect(page.locator(".step h2").first).to_be_visible()
    expect(page.locator("textarea.write").first).to_be_visible()
    for paper in ("A4", "Letter"):
        pdf = page.pdf(format=paper)
        pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))
        assert pages == 1, f"the worksheet takes {pages} {paper} pages"
    page.emulate_media(media="screen")


def test_join_explains_a_wrong_code_without_asking_the_server(tab: Session) -> None:
    page = tab.page
    page.goto("/join.html")
    page.get_by_label("Room code").fill("K7QM-3X")
    page.get_by_role("button", name="Join").click()
    expect(page.locator("#join-status")).to_contain_text("eight letters and numbers")
    expect(page.get_by_label("Room code")).to_have_attribute("aria-invalid", "true")
    assert not any("/v1/rooms" in url for url in tab.requests)


def test_join_says_when_no_room_has_that_code(tab: Session) -> None:
    page = tab.page
    page.goto("/join.html?code=ZZZZ-ZZZZ")
    page.get_by_role("button", name="Join").click()
    expect(page.locator("#join-status")).to_contain_text("There is no open room with that code")
    expect(page.locator("#room-panel")).to_be_hidden()
    allow_http_errors(tab, 404)


@pytest.mark.parametrize(
    ("status", "headers", "message"),
    [
        (409, {}, "This room is full"),
        (429, {"Retry-After": "60"}, "Wait about a minute, then try again"),
    ],
)
def test_join_says_when_a_room_is_full_or_tries_ran_out(
    tab: Session, status: int, headers: dict[str, str], message: str
) -> None:
    page = tab.page
    # The server's answer as the contract words it; a full room needs 60 devices otherwise.
    page.route(
        "**/v1/rooms/*/join",
        lambda route: route.fulfill(
            status=status,
            headers={"content-type": "application/problem+json", **headers},
            body=f'{{"type": "about:blank", "title": "x", "status": {status}, "detail": "x"}}',
        ),
    )
    page.goto("/join.html?code=K7QM-3XHD")
    page.get_by_role("button", name="Join").click()
    expect(page.locator("#join-status")).to_contain_text(message)
    expect(page.locator("#room-panel")).to_be_hidden()
    allow_http_errors(tab, status)


def test_a_send_that_is_refused_for_too_many_tries_says_how_long_to_wait(
    tab: Session, open_tab: OpenTab
) -> None:
    code = open_room(tab.page)
    participant = open_tab()
    page = participant.page
    join(page, code)
    page.route(
        "**/v1/rooms/*/drafts",
        lambda route: route.fulfill(
            status=429,
            headers={"content-type": "application/problem+json", "Retry-After": "30"},
            body='{"type": "about:blank", "title": "x", "status": 429, "detail": "x"}',
        ),
    )
    send(page, UNSHARED, share=False)
    expect(page.locator("#send-status")).to_contain_text("Wait 30 seconds, then send it again")
    allow_http_errors(participant, 429)


def _filled_board(tab: Session, open_tab: OpenTab) -> Session:
    """A board with drafts, a shared one, a revealed quiz answer and the close step open;
    returns the participant, who has flags, suggestions and the safety notice on screen."""
    board = tab.page
    code = open_room(board)
    participant = open_tab()
    join(participant.page, code)
    send(participant.page, UNSHARED, share=False)
    send(participant.page, f"{SHARED} {RISK} https://example.org/{'a' * 120}", share=True)
    expect(board.locator("#draft-count")).to_have_text("2")
    board.get_by_role("button", name="Start the quiz").click()
    board.get_by_role("button", name="Show the answer").click()
    board.get_by_role("button", name="Close the room").click()
    expect(board.locator("#close-confirm")).to_be_visible()
    expect(participant.page.locator("#safety")).to_be_visible()
    expect(participant.page.locator("#cards .card").first).to_be_visible()
    return participant


@pytest.mark.parametrize("path", ["/workshop.html", "/join.html", "/worksheet.html"])
def test_axe_finds_no_violations_on_first_sight(tab: Session, path: str) -> None:
    page = tab.page
    page.goto(f"{path}?code=K7QM-3XHD" if path == "/join.html" else path)
    page.wait_for_function("() => !document.querySelector('[aria-busy]')")
    assert_axe_clean(page)


def test_axe_finds_no_violations_on_a_busy_board_and_a_checked_draft(
    tab: Session, open_tab: OpenTab
) -> None:
    participant = _filled_board(tab, open_tab)
    assert_axe_clean(tab.page)
    assert_axe_clean(participant.page)


def test_axe_finds_no_violations_in_join_errors(tab: Session) -> None:
    page = tab.page
    page.goto("/join.html")
    page.get_by_label("Room code").fill("nope")
    page.get_by_role("button", name="Join").click()
    expect(page.locator("#join-status")).to_contain_text("eight letters")
    assert_axe_clean(page)


def test_no_horizontal_scroll_at_320px(tab: Session, open_tab: OpenTab) -> None:
    participant = _filled_board(tab, open_tab)
    for session, what in ((tab, "the board"), (participant, "the join page, filled")):
        session.page.set_viewport_size({"width": 320, "height": 700})
        assert_no_sideways_scroll(session.page, what)
    page = participant.page
    page.goto("/worksheet.html")
    page.wait_for_function("() => !document.querySelector('[aria-busy]')")
    assert_no_sideways_scroll(page, "the worksheet")
    page.goto("/join.html?code=K7QM-3XHD")
    assert_no_sideways_scroll(page, "the join page")
    tab.page.goto("/workshop.html")
    assert_no_sideways_scroll(tab.page, "the workshop page")


def test_every_page_links_to_the_workshop(tab: Session) -> None:
    page = tab.page
    for path in ["/", "/coach.html", "/rules.html", "/help.html", "/join.html", "/worksheet.html"]:
        page.goto(path)
        expect(page.locator(".mainnav").get_by_role("link", name="Workshop")).to_have_attribute(
            "href", "/workshop.html"
        )


FOCUS_IS_VISIBLE = """() => {
  const style = getComputedStyle(document.activeElement);
  return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
}"""


def tab_to(page: Page, selector: str, limit: int = 40) -> None:
    """Press Tab until the focused element matches selector, checking focus is visible."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            assert page.evaluate(FOCUS_IS_VISIBLE), f"focus on {selector} is not visible"
            return
    pytest.fail(f"Tab never reached {selector}")


def test_a_participant_can_do_everything_by_keyboard(tab: Session, open_tab: OpenTab) -> None:
    code = open_room(tab.page)
    page = open_tab().page
    page.goto("/join.html")
    tab_to(page, "#code")
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    expect(page.locator("#room-heading")).to_be_focused()
    tab_to(page, "#draft")
    page.keyboard.type(LATER)
    tab_to(page, "#share")
    page.keyboard.press("Space")
    expect(page.locator("#share")).to_be_checked()
    tab_to(page, "#send")
    page.keyboard.press("Enter")
    expect(page.locator("#send-status")).to_contain_text("shared with the facilitator")
    expect(tab.page.locator("#shared > li")).to_have_count(1)
    expect(tab.page.locator("#shared .shared-text")).to_have_text(LATER)
    tab_to(page, "#cards button.use")
    page.keyboard.press("Enter")
    expect(page.locator("#draft")).to_be_focused()
    assert page.locator("#draft").input_value() != LATER


@pytest.mark.parametrize("path", ["/workshop.html", "/join.html", "/worksheet.html"])
def test_escape_leaves_every_workshop_page(tab: Session, path: str) -> None:
    page = tab.page
    page.goto(path)
    page.locator("textarea, input[type='text']").first.fill("Mom, you never listen.")
    page.keyboard.press("Escape")
    page.wait_for_url("**/recipe.html")
    assert "mend" not in page.content().lower()
