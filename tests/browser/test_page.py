"""The page in a real browser: highlights, rewrites, keyboard use, safety, privacy, exit, a11y.

Every test here also passes the `tab` fixture's checks at teardown: no dialog, no script or
console error (CSP violations are console errors) and no request to any other origin.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from .conftest import Session

pytestmark = pytest.mark.browser

BLAMING = "Mom, you never call me back. I feel like you don't care."
XSS = "<img src=x onerror=alert(1)>"
RISK = "Mom, you never call me back. Some days I want to kill myself."
EXIT_PATH = "/recipe.html"
PAGES = ["/", "/rules.html", "/help.html", EXIT_PATH]
SEVERITY_LABEL = {"error": "Likely to hurt", "warning": "May sound blaming", "info": "Tip"}
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshot.png"

# The marked runs of the mirror behind the draft, with code-point offsets (the server's unit).
MARKED_RUNS = """() => {
  const runs = [];
  let offset = 0;
  for (const node of document.querySelector('#mirror').childNodes) {
    const text = node.textContent;
    const length = [...text].length;
    if (node.nodeName === 'MARK') {
      runs.push({start: offset, end: offset + length, text,
                 flags: node.dataset.flags.split(' ').map(Number)});
    }
    offset += length;
  }
  return runs;
}"""
CHECKED = """() => !document.querySelector('#flag-list').hasAttribute('aria-busy')
  && document.querySelector('#summary').textContent !== ''"""
SUGGESTED = """() => {
  const box = document.querySelector('#suggestions');
  return !box.hidden && !box.hasAttribute('aria-busy')
    && document.querySelectorAll('#cards .card').length > 0;
}"""
FOCUS_IS_VISIBLE = """() => {
  const style = getComputedStyle(document.activeElement);
  return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
}"""


def analyze(app_url: str, text: str) -> dict[str, Any]:
    response = httpx.post(f"{app_url}/v1/analyze", json={"text": text}, timeout=30)
    response.raise_for_status()
    result: dict[str, Any] = response.json()
    return result


def blaming_flags(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [flag for flag in result["flags"] if flag["severity"] in ("warning", "error")]


def wait_until_checked(page: Page) -> None:
    page.wait_for_function(CHECKED)


def wait_for_suggestions(page: Page) -> None:
    page.wait_for_function(SUGGESTED)


def open_page(page: Page, path: str) -> None:
    """Go to a page and wait until whatever it loads from the API is on screen."""
    page.goto(path)
    page.wait_for_function("() => !document.querySelector('[aria-busy]')")


def write(page: Page, text: str) -> None:
    """Put a draft in the box (one input event, like a paste) and wait for the check."""
    page.locator("#draft").fill(text)
    wait_until_checked(page)


def tab_to(page: Page, selector: str, limit: int = 80) -> None:
    """Press Tab until the focused element matches selector."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"Tab never reached {selector}")


def assert_marks_match(page: Page, text: str, flags: list[dict[str, Any]]) -> None:
    """The marks cover exactly the flagged characters, and each flag's marks spell its text."""
    assert page.locator("#mirror").text_content() == text
    runs = page.evaluate(MARKED_RUNS)
    marked = {i for run in runs for i in range(run["start"], run["end"])}
    flagged = {i for flag in flags for i in range(flag["start"], flag["end"])}
    assert marked == flagged
    for index, flag in enumerate(flags):
        spelled = "".join(run["text"] for run in runs if index in run["flags"])
        assert spelled == flag["text"], flag["rule"]


def test_blaming_draft_highlights_exactly_the_flagged_words(tab: Session, app_url: str) -> None:
    page = tab.page
    page.goto("/")
    expected = analyze(app_url, BLAMING)
    assert len(blaming_flags(expected)) >= 2
    page.locator("#draft").press_sequentially(BLAMING)
    # Select some text while the check is on its way: the results must not move it.
    assert page.locator("#flag-list").get_attribute("aria-busy") == "true"
    page.evaluate("() => document.querySelector('#draft').setSelectionRange(5, 14)")
    wait_until_checked(page)
    assert page.evaluate(
        "() => { const d = document.querySelector('#draft');"
        " return [d.selectionStart, d.selectionEnd, document.activeElement === d]; }"
    ) == [5, 14, True]

    assert_marks_match(page, BLAMING, expected["flags"])
    expect(page.locator("#summary")).to_have_text(f"{expected['summary']['headline']}.")
    assert page.locator("#summary").get_attribute("role") == "status"
    items = page.locator("#flag-list > li")
    expect(items).to_have_count(len(expected["flags"]))
    for flag in expected["flags"]:
        item = items.filter(has_text=flag["text"])
        expect(item).to_contain_text(flag["message"])
        expect(item).to_contain_text(SEVERITY_LABEL[flag["severity"]])

    # Hovering a highlight shows its message, why and suggestion; so does tapping one.
    first, second = expected["flags"][0], expected["flags"][1]
    box = page.locator("#mirror mark").first.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    detail = page.locator("#flag-detail")
    expect(detail).to_contain_text(first["message"])
    expect(detail).to_contain_text(first["why"])
    expect(detail).to_contain_text(first["suggestion"])
    box = page.locator("#mirror mark").nth(1).bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 3, box["y"] + box["height"] / 2)
    page.mouse.move(5, 5)
    expect(detail).to_contain_text(second["message"])


def test_offsets_survive_emoji(tab: Session, app_url: str) -> None:
    """Server offsets count code points; an emoji is two UTF-16 units in the browser."""
    text = "Mom 😀💔 you never call me back. 🙂 I feel like you don't care."
    page = tab.page
    page.goto("/")
    page.locator("#draft").fill(text)
    wait_until_checked(page)
    expected = analyze(app_url, text)
    assert expected["flags"]
    assert_marks_match(page, text, expected["flags"])


def test_text_helpers_in_the_page(tab: Session) -> None:
    """web/text.js: code points to UTF-16, replacing sentences, keeping marks while typing."""
    page = tab.page
    page.goto("/")
    result = page.evaluate(
        """async () => {
      const t = await import('/text.js');
      const draft = "Mom, you never call me back. I feel like you don't care.";
      const flag = {start: 5, end: 14, text: 'you never'};
      return {
        emoji: t.flagsToUtf16('😀 you never', [{...flag, start: 2, end: 11}]),
        both: t.applyReplacement(draft, [{start: 0, end: 28}, {start: 29, end: 56}], 'New.'),
        ends: t.applyReplacement('A. B. C.', [{start: 0, end: 2}, {start: 6, end: 8}], 'X.'),
        afterEmoji: t.applyReplacement('😀 A. B.', [{start: 2, end: 4}], 'X.'),
        typedBefore: t.shiftFlags([flag], draft, 'Hi ' + draft),
        typedInside: t.shiftFlags([flag], draft, draft.replace('never', 'nev')),
        typedAfter: t.shiftFlags([flag], draft, draft + '!'),
        length: t.codePointLength('a😀b'),
      };
    }"""
    )
    assert result["emoji"] == [{"start": 3, "end": 12, "text": "you never", "index": 0}]
    assert result["both"] == {"text": "New.", "caret": 4}
    assert result["ends"] == {"text": "X. B.", "caret": 2}
    assert result["afterEmoji"] == {"text": "😀 X. B.", "caret": 5}
    assert result["typedBefore"] == [{"start": 8, "end": 17, "text": "you never"}]
    assert result["typedInside"] == []
    assert result["typedAfter"] == [{"start": 5, "end": 14, "text": "you never"}]
    assert result["length"] == 3


def test_a_flag_shows_the_i_statement_that_replaces_its_sentence(tab: Session) -> None:
    page = tab.page
    page.goto("/")
    write(page, "You never call me back.")
    wait_for_suggestions(page)
    best = page.locator("#cards .card-text").first.text_content() or ""
    assert best.startswith("I feel ")
    box = page.locator("#mirror mark").first.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    detail = page.locator("#flag-detail")
    expect(detail).to_contain_text("Or say: ")
    expect(detail).to_contain_text(best)


def test_use_this_rechecks_clean_and_undo_restores(tab: Session, app_url: str) -> None:
    page = tab.page
    page.goto("/")
    write(page, BLAMING)
    wait_for_suggestions(page)
    suggestion = page.locator("#cards .card-text").first.text_content() or ""
    expect(page.locator("#cards .guess").first).to_have_text("Mend's guess")

    page.locator("#cards .card").first.get_by_role("button", name="Use this").click()
    draft = page.locator("#draft")
    rewritten = draft.input_value()
    assert rewritten != BLAMING
    assert suggestion in rewritten
    wait_until_checked(page)
    assert blaming_flags(analyze(app_url, rewritten)) == []
    expect(page.locator("#mirror mark.hl--warning, #mirror mark.hl--error")).to_have_count(0)
    expect(page.locator("#flag-list .flag--warning, #flag-list .flag--error")).to_have_count(0)
    expect(page.locator("#summary")).to_contain_text("Nothing blaming")

    page.get_by_role("button", name="Undo").click()
    expect(draft).to_have_value(BLAMING)
    wait_until_checked(page)
    assert_marks_match(page, BLAMING, analyze(app_url, BLAMING)["flags"])


def test_the_whole_flow_by_keyboard_alone(tab: Session, app_url: str) -> None:
    page = tab.page
    page.goto("/")
    tab_to(page, "#draft")
    page.keyboard.type(BLAMING)
    wait_until_checked(page)

    # A flag's "why" opens from the list with the keyboard.
    tab_to(page, "#flag-list details summary")
    assert page.evaluate(FOCUS_IS_VISIBLE)
    page.keyboard.press("Enter")
    expect(page.locator("#flag-list details").first).to_have_attribute("open", "")

    wait_for_suggestions(page)
    tab_to(page, "#cards button.use")
    assert page.evaluate(FOCUS_IS_VISIBLE)
    page.keyboard.press("Enter")
    draft = page.locator("#draft")
    rewritten = draft.input_value()
    assert rewritten != BLAMING
    wait_until_checked(page)
    assert blaming_flags(analyze(app_url, rewritten)) == []
    expect(page.locator("#flag-list .flag--warning, #flag-list .flag--error")).to_have_count(0)

    tab_to(page, "#undo")
    assert page.evaluate(FOCUS_IS_VISIBLE)
    page.keyboard.press("Space")
    expect(draft).to_have_value(BLAMING)
    wait_until_checked(page)
    expect(page.locator("#flag-list > li")).to_have_count(len(analyze(app_url, BLAMING)["flags"]))


def test_feeling_and_situation_update_the_suggestions(tab: Session) -> None:
    page = tab.page
    page.goto("/")
    write(page, BLAMING)
    wait_for_suggestions(page)
    feelings = page.locator("#feeling optgroup")
    assert feelings.count() >= 3  # genuine feelings, grouped by family

    with page.expect_request(lambda r: r.url.endswith("/v1/rewrite")) as asked:
        page.locator("#feeling").select_option("hurt")
    assert json.loads(asked.value.post_data or "{}")["feeling"] == "hurt"
    wait_for_suggestions(page)
    first = page.locator("#cards .card").first
    feeling_part = first.locator(".card-parts div").filter(has_text="Feeling")
    expect(feeling_part).to_contain_text("hurt")
    expect(feeling_part.locator(".guess")).to_have_count(0)

    what = "I did not hear from you on my birthday"
    with page.expect_request(lambda r: r.url.endswith("/v1/rewrite")) as asked:
        page.locator("#situation").fill(what)
    assert json.loads(asked.value.post_data or "{}")["situation"] == what
    wait_for_suggestions(page)
    expect(page.locator("#cards .card-text").first).to_contain_text(what)


def test_copy_message_puts_the_whole_message_on_the_clipboard(tab: Session, app_url: str) -> None:
    page = tab.page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app_url)
    page.goto("/")
    write(page, BLAMING)
    wait_for_suggestions(page)
    message = page.locator("#whole-message").text_content()
    assert message
    page.get_by_role("button", name="Copy message").click()
    expect(page.locator("#copy-status")).to_contain_text("Copied")
    assert page.evaluate("() => navigator.clipboard.readText()") == message


def test_pasted_markup_stays_text(tab: Session, app_url: str) -> None:
    page = tab.page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app_url)
    page.goto("/")
    page.evaluate("(text) => navigator.clipboard.writeText(text)", XSS)
    draft = page.locator("#draft")
    draft.focus()
    page.keyboard.press("Control+V")
    expect(draft).to_have_value(XSS)
    wait_until_checked(page)
    # Now with flags and suggestions around it, so every renderer sees the markup.
    page.keyboard.type(" You never listen to me.")
    wait_until_checked(page)
    wait_for_suggestions(page)
    assert page.locator("#mirror").text_content() == f"{XSS} You never listen to me."
    assert page.locator("img[src='x'], [onerror]").count() == 0
    page.wait_for_timeout(300)
    assert tab.dialogs == []


def test_requests_stay_on_the_origin_and_nothing_is_kept(tab: Session) -> None:
    page = tab.page
    for path in PAGES:
        open_page(page, path)
    page.goto("/")
    write(page, RISK)
    wait_for_suggestions(page)
    requests = [url for url in tab.requests if not url.startswith("data:")]
    assert tab.foreign_requests() == []
    for endpoint in ["/v1/analyze", "/v1/rewrite", "/v1/lexicon", "/v1/rules", "/v1/help"]:
        assert any(url.endswith(endpoint) for url in requests), endpoint
    # Drafts travel only in POST bodies, never in a URL.
    assert not any("never" in url or "kill" in url for url in requests)
    # Nothing is kept in the browser unless the person asks (and nothing here asks).
    assert page.evaluate("() => [localStorage.length, sessionStorage.length]") == [0, 0]
    assert page.context.cookies() == []


def test_safety_notice_is_calm_and_lets_the_person_keep_going(tab: Session) -> None:
    page = tab.page
    page.goto("/")
    write(page, RISK)
    notice = page.locator("#safety")
    expect(notice).to_be_visible()
    expect(notice.locator(".resource").first).to_be_visible()
    expect(page.locator("#summary")).to_contain_text("Support is listed below")
    assert page.locator("dialog, [role='dialog'], [aria-modal='true']").count() == 0
    # Not blocking: the person can keep writing.
    page.locator("#draft").press_sequentially(" I still want to talk.")
    expect(page.locator("#draft")).to_have_value(f"{RISK} I still want to talk.")


def test_safety_notice_differs_by_level(tab: Session) -> None:
    """Check-in asks a gentle question and offers no exit button; danger now lists the emergency
    numbers first and offers a way to leave the page at once."""
    page = tab.page
    page.goto("/")
    write(page, RISK)
    notice = page.locator("#safety")
    expect(notice).to_have_attribute("data-level", "checkin")
    expect(notice.locator("[data-safety-question]")).to_contain_text("?")
    expect(notice.get_by_role("button", name="Leave now")).to_be_hidden()
    write(page, "He's trying to break the door down and I've locked myself in the bathroom.")
    expect(notice).to_have_attribute("data-level", "urgent")
    expect(notice.locator(".resource").first).to_contain_text("Emergency")
    notice.get_by_role("button", name="Leave now").click()
    page.wait_for_url(f"**{EXIT_PATH}")
    assert "mend" not in page.content().lower()


def test_character_count_and_limit(tab: Session) -> None:
    page = tab.page
    page.goto("/")
    draft = page.locator("#draft")
    draft.fill("Hello 😀")
    expect(page.locator("#count")).to_have_text("7 / 5,000 characters")
    wait_until_checked(page)
    sent = len([url for url in tab.requests if url.endswith("/v1/analyze")])
    draft.fill("a" * 5001)
    expect(page.locator("#count")).to_have_text("5,001 / 5,000 characters")
    expect(page.locator("#limit-error")).to_contain_text("Your message is over 5,000 characters")
    expect(draft).to_have_attribute("aria-invalid", "true")
    page.get_by_role("button", name="Check").click()
    expect(page.locator("#summary")).to_contain_text("over 5,000 characters")
    page.wait_for_timeout(700)  # past the pause that would start a check
    assert len([url for url in tab.requests if url.endswith("/v1/analyze")]) == sent


RULES_ON_PAGE = """() => [...document.querySelectorAll('article.rule')].map((article) => ({
  category: article.closest('section.category').querySelector('h2').textContent,
  message: article.querySelector('h3').textContent,
  text: article.textContent,
  marks: [...article.querySelectorAll('mark')].map((mark) => mark.textContent),
}))"""
RESOURCES_ON_PAGE = """() => [...document.querySelectorAll('.resource')].map((item) => ({
  name: item.querySelector('h3').textContent,
  text: item.textContent,
  checked: item.querySelector('.source time').getAttribute('datetime'),
}))"""


def test_rules_page_teaches_every_rule(tab: Session, app_url: str) -> None:
    rules = httpx.get(f"{app_url}/v1/rules", timeout=30).json()["rules"]
    page = tab.page
    open_page(page, "/rules.html")
    shown = {article["message"]: article for article in page.evaluate(RULES_ON_PAGE)}
    assert len(shown) == len(rules)
    for rule in rules:
        article = shown[rule["message"]]
        assert article["category"] == rule["category_label"]
        assert rule["why"] in article["text"]
        assert rule["fix"] in article["text"]
        assert SEVERITY_LABEL[rule["severity"]] in article["text"]
        assert [example["span"] for example in rule["examples"]["match"]] == article["marks"]
        for text in rule["examples"]["no_match"]:
            assert text in article["text"]


def test_help_page_lists_every_resource_with_source_and_date(tab: Session, app_url: str) -> None:
    resources = httpx.get(f"{app_url}/v1/help", timeout=30).json()["resources"]
    page = tab.page
    open_page(page, "/help.html")
    shown = page.evaluate(RESOURCES_ON_PAGE)
    assert sorted(item["name"] for item in shown) == sorted(r["name"] for r in resources)
    for resource in resources:
        item = next(
            item
            for item in shown
            if item["name"] == resource["name"] and resource["contact"] in item["text"]
        )
        assert item["checked"] == resource["checked"]
        assert "Source:" in item["text"]


@pytest.mark.parametrize(
    ("start", "how"),
    [("/", "button"), ("/", "esc"), ("/rules.html", "esc"), ("/help.html", "button")],
)
def test_quick_exit_leaves_no_way_back_to_the_draft(tab: Session, start: str, how: str) -> None:
    page = tab.page
    if start == "/":
        page.goto("/help.html")
        page.goto("/")
        write(page, BLAMING)
    else:
        # A draft first, then on to another page by its link: the draft must not come back.
        page.goto("/")
        write(page, BLAMING)
        page.locator(f".topbar a[href='{start}']").click()
        page.wait_for_url(f"**{start}")
    if how == "button":
        page.get_by_role("button", name="Quick exit").click()
    else:
        page.keyboard.press("Escape")
    page.wait_for_url(f"**{EXIT_PATH}")
    content = page.content().lower()
    assert "mend" not in content
    assert "help" not in content
    assert "mend" not in page.title().lower()
    # The page the person left is gone from history; any page reached by "back" has no draft.
    page.go_back()
    assert not page.url.endswith(start)
    if page.locator("#draft").count():
        expect(page.locator("#draft")).to_have_value("")
        assert page.locator("#mirror").text_content() == ""
        expect(page.locator("#flag-list > li")).to_have_count(0)


def test_escape_leaves_even_from_the_draft_box(tab: Session) -> None:
    page = tab.page
    page.goto("/")
    page.locator("#draft").press_sequentially("Mom, I")
    page.locator("#draft").press("Escape")
    page.wait_for_url(f"**{EXIT_PATH}")


def test_get_help_and_quick_exit_are_in_the_same_place_on_every_page(tab: Session) -> None:
    page = tab.page
    places = []
    for path in PAGES[:-1]:
        page.goto(path)
        help_link = page.locator(".topbar").get_by_role("link", name="Get help")
        exit_button = page.locator(".topbar").get_by_role("button", name="Quick exit")
        expect(help_link).to_have_attribute("href", "/help.html")
        places.append((help_link.bounding_box(), exit_button.bounding_box()))
        for box in places[-1]:
            assert box is not None
            assert box["width"] >= 24
            assert box["height"] >= 24
    assert all(place == places[0] for place in places)


def _fill_every_part(page: Page) -> None:
    """A draft that brings every part of the page out: flags, suggestions, safety, long words."""
    page.goto("/")
    write(page, RISK + " https://example.org/" + "a" * 120)
    wait_for_suggestions(page)


@pytest.mark.parametrize("path", [*PAGES, "/ (filled)"])
def test_no_horizontal_scroll_at_320px(tab: Session, path: str) -> None:
    page = tab.page
    page.set_viewport_size({"width": 320, "height": 700})
    if path == "/ (filled)":
        _fill_every_part(page)
    else:
        open_page(page, path)
    sizes = page.evaluate(
        "() => [document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]"
    )
    assert sizes[0] <= sizes[1], f"{path} scrolls sideways at 320 px: {sizes}"


def _state(page: Page, state: str) -> None:
    if state == "empty":
        open_page(page, "/")
    elif state == "flags":
        page.goto("/")
        write(page, BLAMING)
        page.locator("#flag-list details summary").first.click()
        page.locator("#draft").focus()
        page.evaluate("() => document.querySelector('#draft').setSelectionRange(7, 7)")
        expect(page.locator("#flag-detail .try").first).to_be_visible()
    elif state == "suggestions":
        page.goto("/")
        write(page, BLAMING)
        wait_for_suggestions(page)
        more = page.locator("#more")
        if more.is_visible():
            more.click()
        page.locator("#feeling").select_option("hurt")
        wait_for_suggestions(page)
    elif state == "used":
        page.goto("/")
        write(page, BLAMING)
        wait_for_suggestions(page)
        page.locator("#cards button.use").first.click()
        wait_until_checked(page)
        expect(page.locator("#undo-bar")).to_be_visible()
    elif state == "safety":
        page.goto("/")
        write(page, RISK)
        expect(page.locator("#safety")).to_be_visible()
    elif state == "too long":
        page.goto("/")
        page.locator("#draft").fill("a" * 5001)
        expect(page.locator("#limit-error")).to_be_visible()
    else:
        open_page(page, state)


AXE_STATES = ["empty", "flags", "suggestions", "used", "safety", "too long", *PAGES[1:]]


@pytest.mark.parametrize("state", AXE_STATES)
def test_axe_finds_no_violations_light_and_dark(tab: Session, state: str) -> None:
    page = tab.page
    _state(page, state)
    axe = Axe()
    reports = []
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        results = axe.run(page)
        if results.violations_count:
            reports.append(f"{scheme}: {results.generate_report()}")
    assert reports == [], "\n".join(reports)


def test_screenshot_for_the_readme(tab: Session) -> None:
    page = tab.page
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/")
    write(page, BLAMING)
    wait_for_suggestions(page)
    page.locator("#draft").focus()
    page.evaluate("() => document.querySelector('#draft').setSelectionRange(8, 8)")
    expect(page.locator("#flag-detail .try").first).to_be_visible()
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 10_000
