"""Browser-test fixtures: the real app on a free port, one chromium per session, a page per test.

Every page a test opens is watched: a dialog, a script error, a console error (a CSP violation
lands there) or a request to any other origin fails the test at teardown.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, sync_playwright
from support import served

from server.http.app import create_app
from server.settings import Settings

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STARTUP_SECONDS = 120


@pytest.fixture(scope="session")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real app (create_app, lifespan and all) served by uvicorn in a background thread.
    Workshop rooms go to a temporary folder, never the tester's own data folder."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("mend-data"))
    with served(create_app(settings), STARTUP_SECONDS) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's chromium. Never downloads a browser; a missing chromium is a failure, not a skip."""
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail(
            "The browser tests need Debian's chromium, and it is not installed. "
            "Install it with scripts/install-system-packages (or: sudo apt-get install chromium). "
            "These tests never download a browser.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Session:
    """One page of the app, and everything it did that a test may want to assert on."""

    page: Page
    origin: str
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def foreign_requests(self) -> list[str]:
        """Requests that left the app's origin (data: URLs never touch the network)."""
        return [
            url
            for url in self.requests
            if not url.startswith("data:") and _origin(url) != self.origin
        ]


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@contextmanager
def watched_session(browser: Browser, app_url: str) -> Iterator[Session]:
    """A fresh context and page (1280×900, light), watched until it closes."""
    context = browser.new_context(
        base_url=app_url, viewport={"width": 1280, "height": 900}, color_scheme="light"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    watched = Session(page=page, origin=app_url)

    def on_dialog(dialog: Dialog) -> None:
        watched.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            watched.errors.append(f"console: {message.text}")

    page.on("request", lambda request: watched.requests.append(request.url))
    page.on("dialog", on_dialog)
    page.on("console", on_console)
    page.on("pageerror", lambda error: watched.errors.append(f"page error: {error}"))
    try:
        yield watched
    finally:
        context.close()  # also when the test failed, so no browser context outlives it
    assert watched.dialogs == [], f"the page opened dialogs: {watched.dialogs}"
    assert watched.errors == [], f"the page reported errors: {watched.errors}"
    assert watched.foreign_requests() == [], "requests left the app's origin"


@pytest.fixture
def tab(browser: Browser, app_url: str) -> Iterator[Session]:
    """A fresh context and page per test, watched until the end."""
    with watched_session(browser, app_url) as watched:
        yield watched


@pytest.fixture
def open_tab(browser: Browser, app_url: str) -> Iterator[Callable[[], Session]]:
    """More pages, each in its own context (another person's device), all watched like `tab`."""
    with ExitStack() as stack:
        yield lambda: stack.enter_context(watched_session(browser, app_url))
