"""The coach page in a real browser: the guided conversation, practising lines, safety, exit, a11y.

Every test here also passes the `tab` fixture's checks at teardown: no dialog, no script or
console error (CSP violations are console errors) and no request to any other origin.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, Request, expect

from .conftest import Session

pytestmark = pytest.mark.browser

COACH = "/coach.html"
PRACTISE = "/coach.html#practise"
EXIT_PATH = "/recipe.html"
GRIEVANCES = ["She criticises my cooking", "She forgot my birthday", "You never call me back"]
WEIGHTS = "423"  # so the lightest, and Mend's suggestion, is the birthday
SITUATION = "Last Sunday I called twice and heard nothing back"
RISK = "Some days I want to kill myself."
BLAMING_LINE = "You never call me back."
I_STATEMENT = "I feel lonely when we don't talk for weeks."
XSS = "<img src=x onerror=alert(1)>"
PARTNER_LABEL = "Practice reply — a program, not her"
REACTION_WORDS = {
    "opens": "She opens up",
    "softens": "She softens a little",
    "defends": "She gets defensive",
    "attacks": "She hits back",
    "withdraws": "She pulls away",
}

TURN_DONE = """(step) => {
  const form = document.querySelector('#turn');
  return form.dataset.step === step && !form.hasAttribute('aria-busy');
}"""
# The draft box draws its focus ring on the editor around it, as on the main page.
FOCUS_IS_VISIBLE = """() => {
  const element = document.activeElement;
  const ringed = element.closest('.editor') || element;
  const style = getComputedStyle(ringed);
  return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
}"""
NO_SIDEWAYS_SCROLL = """() => document.scrollingElement.scrollWidth
  <= document.scrollingElement.clientWidth"""


def wait_step(page: Page, step: str) -> None:
    page.wait_for_function(TURN_DONE, arg=step)


def open_coach(page: Page) -> None:
    page.goto(COACH)
    wait_step(page, "intro")


def focused(page: Page) -> str:
    return str(page.evaluate("() => document.activeElement.id || document.activeElement.tagName"))


def tab_to(page: Page, selector: str, *, back: bool = False, limit: int = 150) -> None:
    """Press Tab (or Shift+Tab) until the focused element matches selector; focus must show."""
    key = "Shift+Tab" if back else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            assert page.evaluate(FOCUS_IS_VISIBLE), f"no visible focus on {selector}"
            return
    pytest.fail(f"{key} never reached {selector}")


def press_continue(page: Page) -> None:
    """The turn's main button, by keyboard."""
    tab_to(page, "#main-actions button[type='submit']")
    page.keyboard.press("Enter")


def axe_report(page: Page, state: str) -> list[str]:
    """axe-core in light and dark; returns a report per scheme with violations."""
    reports = []
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        results = Axe().run(page)
        if results.violations_count:
            reports.append(f"{state}, {scheme}: {results.generate_report()}")
    page.emulate_media(color_scheme="light")
    return reports


def coach_bodies(requests: list[Request]) -> list[dict[str, Any]]:
    return [json.loads(r.post_data or "{}") for r in requests if r.url.endswith("/v1/coach")]


def test_a_whole_conversation_by_keyboard_alone(tab: Session, app_url: str) -> None:
    """From the first message to the summary with Tab, Enter, Space and typing; axe at each
    kind of state, light and dark."""
    page = tab.page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app_url)
    sent: list[Request] = []
    page.on("request", lambda request: sent.append(request))
    reports: list[str] = []

    open_coach(page)
    first = page.locator("#log .msg--first")
    expect(first).to_contain_text("not therapy")
    expect(first).to_contain_text("program")
    assert focused(page) == "BODY"  # arriving at the page does not move focus
    reports += axe_report(page, "start")

    tab_to(page, "#main-actions button.primary")
    expect(page.locator(":focus")).to_have_text("Let's begin")
    page.keyboard.press("Enter")
    wait_step(page, "list")
    assert focused(page) == "prompt-text"  # focus moves to the new question
    expect(page.locator("#progress [aria-current='step']")).to_contain_text("Choose")

    tab_to(page, "#text-answer")
    for i, grievance in enumerate(GRIEVANCES):
        if i:
            page.keyboard.press("Enter")  # a new line in the box
        page.keyboard.type(grievance)
    press_continue(page)
    wait_step(page, "weigh")

    for i, weight in enumerate(WEIGHTS):
        tab_to(page, f"#weight-{i + 1}")
        page.keyboard.type(weight)  # a select takes the option typed
        expect(page.locator(f"#weight-{i + 1}")).to_have_value(weight)
    press_continue(page)
    wait_step(page, "choose")

    # A lighter one is suggested and pre-selected; the person may pick another.
    suggested = page.locator("label.option").filter(has=page.locator("input:checked"))
    expect(suggested).to_contain_text(GRIEVANCES[1])
    expect(suggested).to_contain_text("a lighter one to start with")
    press_continue(page)
    wait_step(page, "feelings")

    # A thought dressed as a feeling is caught gently; focus stays in the field they typed in.
    tab_to(page, "#feelings-own")
    page.keyboard.type("abandoned")
    messages = page.locator("#log .msg--coach")
    before = messages.count()
    page.keyboard.press("Enter")
    expect(messages).to_have_count(before + 1)
    expect(messages.last).to_contain_text("abandoned")
    expect(page.locator("#turn-note")).to_contain_text("abandoned")  # next to the question too
    expect(page.locator("#coach-status")).to_contain_text("abandoned")
    wait_step(page, "feelings")
    assert focused(page) == "feelings-own"

    tab_to(page, "details.family[data-family='hurt'] summary", back=True)
    page.keyboard.press("Enter")
    expect(page.locator("details.family[data-family='hurt']")).to_have_attribute("open", "")
    tab_to(page, "input[name='feeling'][value='hurt']")
    page.keyboard.press("Space")
    expect(page.locator("#feelings-chosen")).to_have_text("Chosen: hurt.")
    reports += axe_report(page, "feelings picker")
    press_continue(page)
    wait_step(page, "situation")

    tab_to(page, "#text-answer")
    page.keyboard.type(SITUATION)
    press_continue(page)
    wait_step(page, "need")

    tab_to(page, "input[name='need']")
    page.keyboard.press("Space")
    press_continue(page)
    wait_step(page, "her_side")

    tab_to(page, "input[name='struggle']")
    page.keyboard.press("Space")
    tab_to(page, "input[name='myth']")
    page.keyboard.press("Space")
    expect(page.locator("label.option").filter(has_text="Myth:").first).to_contain_text(
        "Closer to the truth"
    )
    tab_to(page, "input[name='quality']")
    page.keyboard.press("Space")
    tab_to(page, "#respect-own")
    page.keyboard.type("the way she sings, her stubbornness")
    reports += axe_report(page, "her side")
    press_continue(page)
    wait_step(page, "draft")

    # The composed I-statement, in an editable box; an edit that blames is marked, kindly.
    draft = page.locator("#draft-edit")
    composed = draft.input_value()
    assert composed.strip()
    tab_to(page, "#draft-edit")
    page.keyboard.type(" You never listen to me.")
    edited = draft.input_value()
    assert edited != composed
    press_continue(page)
    expect(messages.last).to_contain_text("could sound like blame")
    wait_step(page, "draft")
    flags = page.locator("#draft-flags > li")
    expect(flags.first).to_contain_text("You never")
    expect(page.locator("#draft-mirror mark").first).to_contain_text("You never")
    expect(page.locator("#draft-summary")).to_contain_text("may sound blaming")
    reports += axe_report(page, "draft with flags")
    press_continue(page)  # carrying on as it is is allowed
    wait_step(page, "rehearse")

    # Rehearse: how hard she may answer, then the line (the draft is there to start with).
    tab_to(page, "#coach-intensity")
    page.keyboard.type("2")
    expect(page.locator("#coach-intensity")).to_have_value("2")
    expect(page.locator("#coach-line")).to_have_value(edited.strip())
    with page.expect_request(lambda r: r.url.endswith("/v1/coach")) as asked:
        press_continue(page)
    body = json.loads(asked.value.post_data or "{}")
    assert body["state"]["intensity"] == 2
    assert body["answer"] == edited.strip()
    wait_step(page, "rehearse")
    reply = page.locator("#log .msg--her").last
    expect(reply).to_contain_text(PARTNER_LABEL)
    reaction = reply.get_attribute("data-reaction")
    assert reaction in ("defends", "withdraws", "attacks")
    expect(reply).to_contain_text(REACTION_WORDS[reaction])
    expect(reply.locator(".softer")).to_contain_text("A softer line would have drawn")
    expect(page.locator("#coach-status")).to_contain_text(PARTNER_LABEL)
    expect(page.locator("#latest-reply")).to_contain_text(REACTION_WORDS[reaction])
    assert focused(page) == "BUTTON"  # still on "Say it", ready for the next line
    reports += axe_report(page, "rehearse with a reply")

    tab_to(page, "#coach-again")
    page.keyboard.press("Enter")
    expect(page.locator("#log .msg--her")).to_have_count(2)
    wait_step(page, "rehearse")
    assert coach_bodies(sent)[-1]["answer"] == edited.strip()  # the same line again
    tab_to(page, "#coach-done")
    page.keyboard.press("Enter")
    wait_step(page, "plan")

    tab_to(page, "#plan-when")
    page.keyboard.type("Sunday afternoon")
    tab_to(page, "input[name='small-step']")
    page.keyboard.press("Space")
    press_continue(page)
    wait_step(page, "summary")

    summary = page.locator("#summary-text")
    expect(summary).to_contain_text(f"The conflict: {GRIEVANCES[1]}")
    expect(summary).to_contain_text("How I feel: hurt")
    expect(summary).to_contain_text("Myths I can let go of: ")
    expect(summary).to_contain_text(
        "What I respect in her: a good sense of humour, the way she sings, her stubbornness"
    )
    expect(summary).to_contain_text("When: Sunday afternoon")
    reports += axe_report(page, "summary")

    tab_to(page, "#summary-copy")
    page.keyboard.press("Enter")
    expect(page.locator("#summary-copy-status")).to_contain_text("Copied")
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied == summary.text_content()
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    # The print stylesheet keeps the summary and hides the page's chrome.
    page.emulate_media(media="print")
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.locator("#log")).to_be_hidden()
    expect(summary).to_be_visible()
    page.emulate_media(media="screen")

    assert reports == [], "\n".join(reports)
    # Answers travel only in POST bodies, and nothing is kept in the browser.
    urls = [r.url for r in sent]
    assert any(url.endswith("/v1/lexicon") for url in urls)
    assert not any("birthday" in url or "never" in url or "Sunday" in url for url in urls)
    assert page.evaluate("() => [localStorage.length, sessionStorage.length]") == [0, 0]
    assert page.context.cookies() == []
    # The server keeps no session: each turn sent back the state it was given.
    bodies = coach_bodies(sent)
    assert bodies[0]["state"] is None
    assert all(body["state"] is not None for body in bodies[1:])


def test_declining_ends_calmly_and_stop_is_never_argued_with(tab: Session) -> None:
    page = tab.page
    open_coach(page)
    page.get_by_role("button", name="Not now").click()
    wait_step(page, "declined")
    expect(page.locator("#log .msg--coach").last).to_contain_text("completely okay")
    expect(page.locator("#prompt-text")).to_have_text("We've stopped here")
    expect(page.locator("#step-actions")).to_be_hidden()
    expect(page.locator("#answer input, #answer textarea")).to_have_count(0)
    reports = axe_report(page, "declined")
    assert reports == [], "\n".join(reports)

    page.get_by_role("button", name="Start again").click()
    wait_step(page, "intro")
    expect(page.locator("#log .msg--first")).to_contain_text("not therapy")
    page.get_by_role("button", name="Let's begin").click()
    wait_step(page, "list")
    page.locator("#text-answer").fill("She criticises my cooking")

    # One press of Stop, one request, no question asked back.
    with page.expect_request(lambda r: r.url.endswith("/v1/coach")) as asked:
        page.get_by_role("button", name="Stop — I don't want to do this").click()
    assert json.loads(asked.value.post_data or "{}")["action"] == "decline"
    wait_step(page, "declined")
    expect(page.locator("#log .msg--coach").last).to_contain_text("completely okay")
    assert page.locator("dialog, [role='dialog'], [role='alertdialog']").count() == 0


def test_a_risk_message_mid_way_shows_help_and_the_conversation_goes_on(tab: Session) -> None:
    page = tab.page
    open_coach(page)
    page.get_by_role("button", name="Let's begin").click()
    wait_step(page, "list")
    page.locator("#text-answer").fill("\n".join(GRIEVANCES[:2]))
    page.get_by_role("button", name="Continue").click()
    wait_step(page, "weigh")
    page.get_by_role("button", name="Skip this step").click()
    wait_step(page, "choose")
    page.get_by_role("button", name="Start with this one").click()
    wait_step(page, "feelings")
    page.get_by_role("button", name="Skip this step").click()
    wait_step(page, "situation")

    page.locator("#text-answer").fill(RISK)
    page.get_by_role("button", name="Continue").click()
    notice = page.locator("#coach-safety")
    expect(notice).to_be_visible()
    expect(notice.locator(".resource").first).to_be_visible()
    expect(page.locator("#coach-status")).to_contain_text("Places to turn for support")
    assert page.locator("dialog, [role='dialog'], [aria-modal='true']").count() == 0
    wait_step(page, "situation")  # paused, not ended: the same question waits
    expect(page.locator("#text-answer")).to_be_editable()
    reports = axe_report(page, "safety notice")
    assert reports == [], "\n".join(reports)

    page.locator("#text-answer").fill(SITUATION)
    page.get_by_role("button", name="Continue").click()
    wait_step(page, "need")
    expect(notice).to_be_visible()  # still there to read, above the next question


def test_practise_before_a_call(tab: Session) -> None:
    page = tab.page
    page.goto(PRACTISE)
    expect(page.locator("#practise-heading")).to_be_visible()
    expect(page.locator("#coach-mode")).to_be_hidden()
    expect(page.locator(".mainnav a[aria-current='page']")).to_have_text("Practise")
    line = page.locator("#practise-line")
    say = page.get_by_role("button", name="Say it")
    replies = page.locator("#transcript .msg--her")

    # A blaming line draws defending, withdrawing or attacking, and a softer alternative.
    line.fill(BLAMING_LINE)
    with page.expect_request(lambda r: r.url.endswith("/v1/rehearse")) as asked:
        say.click()
    assert json.loads(asked.value.post_data or "{}") == {
        "line": BLAMING_LINE,
        "style": "warm",
        "intensity": 1,
        "history": [],
    }
    expect(replies).to_have_count(1)
    blamed = replies.first
    reaction = blamed.get_attribute("data-reaction")
    assert reaction in ("defends", "withdraws", "attacks")
    expect(blamed).to_contain_text(PARTNER_LABEL)
    expect(blamed).to_contain_text(REACTION_WORDS[reaction])
    expect(blamed.locator(".softer")).to_contain_text("A softer line would have drawn")
    softer_line = blamed.locator(".softer-line").text_content()
    expect(page.locator("#transcript .msg--you").first).to_contain_text("may sound blaming")
    expect(line).to_have_value("")

    # "Try the softer line" puts it in the box; an I-statement draws an opening.
    blamed.get_by_role("button", name="Try the softer line").click()
    expect(line).to_have_value(softer_line or "")
    expect(line).to_be_focused()
    line.fill(I_STATEMENT)
    with page.expect_request(lambda r: r.url.endswith("/v1/rehearse")) as asked:
        say.click()
    history = json.loads(asked.value.post_data or "{}")["history"]
    assert [turn["speaker"] for turn in history] == ["you", "her"]
    assert history[0]["text"] == BLAMING_LINE
    expect(replies).to_have_count(2)
    assert replies.last.get_attribute("data-reaction") == "opens"
    expect(replies.last).to_contain_text(REACTION_WORDS["opens"])
    expect(replies.last.locator(".softer")).to_have_count(0)

    # Try again says the same line again, at the style and intensity now chosen.
    page.locator("#practise-style").select_option("critical")
    page.locator("#practise-intensity").select_option("3")
    with page.expect_request(lambda r: r.url.endswith("/v1/rehearse")) as asked:
        page.get_by_role("button", name="Try again").click()
    again = json.loads(asked.value.post_data or "{}")
    assert (again["line"], again["style"], again["intensity"]) == (I_STATEMENT, "critical", 3)
    expect(replies).to_have_count(3)

    # Markup typed as a line stays text.
    line.fill(XSS)
    say.click()
    expect(replies).to_have_count(4)
    expect(page.locator("#transcript .msg--you .said").last).to_have_text(XSS)
    assert page.locator("img[src='x'], [onerror]").count() == 0
    reports = axe_report(page, "practise with replies")
    assert reports == [], "\n".join(reports)

    page.get_by_role("button", name="Stop practising").click()
    expect(page.locator("#transcript > li")).to_have_count(0)
    expect(page.locator("#transcript-empty")).to_contain_text("You stopped the practice")
    expect(page.get_by_role("button", name="Try again")).to_be_hidden()


def test_modes_switch_in_place_and_the_top_bar_matches_every_page(tab: Session) -> None:
    page = tab.page
    for path in ["/", "/rules.html", "/help.html", COACH]:
        page.goto(path)
        nav = page.locator(".mainnav")
        expect(nav.get_by_role("link", name="Coach")).to_have_attribute("href", COACH)
        expect(nav.get_by_role("link", name="Practise")).to_have_attribute("href", PRACTISE)
    places = []
    for path in ["/", COACH]:
        page.goto(path)
        help_link = page.locator(".topbar").get_by_role("link", name="Get help")
        exit_button = page.locator(".topbar").get_by_role("button", name="Quick exit")
        expect(help_link).to_have_attribute("href", "/help.html")
        places.append((help_link.bounding_box(), exit_button.bounding_box()))
    assert places[0] == places[1]

    # The conversation survives a look at the practice mode and back (no reload).
    wait_step(page, "intro")
    page.get_by_role("button", name="Let's begin").click()
    wait_step(page, "list")
    page.locator(".mainnav").get_by_role("link", name="Practise").click()
    expect(page.locator("#practise-mode")).to_be_visible()
    expect(page.locator("#practise-heading")).to_be_focused()
    page.locator(".mainnav").get_by_role("link", name="Coach").click()
    expect(page.locator("#coach-mode")).to_be_visible()
    assert page.locator("#turn").get_attribute("data-step") == "list"
    expect(page.locator(".mainnav a[aria-current='page']")).to_have_text("Coach")


@pytest.mark.parametrize("how", ["button", "esc"])
def test_quick_exit_from_the_coach(tab: Session, how: str) -> None:
    page = tab.page
    page.goto("/help.html")
    open_coach(page)
    page.get_by_role("button", name="Let's begin").click()
    wait_step(page, "list")
    page.locator("#text-answer").fill("She criticises my cooking")
    if how == "button":
        page.get_by_role("button", name="Quick exit").click()
    else:
        page.locator("#text-answer").press("Escape")  # even from inside a field
    page.wait_for_url(f"**{EXIT_PATH}")
    assert "mend" not in page.content().lower()
    assert "mend" not in page.title().lower()
    page.go_back()
    assert COACH not in page.url


def test_no_horizontal_scroll_at_320px(tab: Session) -> None:
    page = tab.page
    page.set_viewport_size({"width": 320, "height": 700})
    long_word = "https://example.org/" + "a" * 120
    open_coach(page)
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "the start scrolls sideways"
    page.get_by_role("button", name="Let's begin").click()
    wait_step(page, "list")
    page.locator("#text-answer").fill(f"{GRIEVANCES[0]} {long_word}\n{RISK}")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#coach-safety")).to_be_visible()
    page.locator("#text-answer").fill(f"{GRIEVANCES[0]} {long_word}\n{GRIEVANCES[1]}")
    page.get_by_role("button", name="Continue").click()
    wait_step(page, "weigh")
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "the weights scroll sideways"
    page.get_by_role("button", name="Skip this step").click()
    wait_step(page, "choose")
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "the choice scrolls sideways"
    page.get_by_role("button", name="Start with this one").click()
    wait_step(page, "feelings")
    page.locator("details.family").first.locator("summary").click()
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "the feelings scroll sideways"

    page.goto(PRACTISE)
    page.locator("#practise-line").fill(f"{BLAMING_LINE} {long_word}")
    page.get_by_role("button", name="Say it").click()
    expect(page.locator("#transcript .msg--her")).to_have_count(1)
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "the practice scrolls sideways"
