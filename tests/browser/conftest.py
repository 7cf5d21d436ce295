"""Browser tests: the demo city in a real `runserver` process, driven by Debian's Chromium.

The ORM is never touched from these tests: everything goes through HTTP. Playwright's
event loop lives only while this package runs, so the rest of the suite keeps Django's
async-safety checks.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.browser.demo_server import CHROMIUM, CHROMIUM_ARGS, DEMO_PASSWORD, DemoServer

HERE = Path(__file__).resolve().parent
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 375, "height": 812}


def pytest_collection_modifyitems(config, items):
    """Mark every test here `browser`; skip them, saying why, when Chromium is not installed."""
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing: apt-get install -y chromium")
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM.exists():
                item.add_marker(skip)


@pytest.fixture(scope="package")
def demo(tmp_path_factory) -> Iterator[DemoServer]:
    """The demo city, migrated and loaded once for the browser tests, served on a free port."""
    # Under pytest-xdist each worker serves its own copy (`<db>_browser_gw0`, ...).
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    suffix = f"browser_{worker}" if worker else "browser"
    server = DemoServer(tmp_path_factory.mktemp("demo"), os.environ.get("DATABASE_URL"), suffix=suffix)
    server.prepare()
    server.start()
    yield server
    server.stop()
    server.drop()


@pytest.fixture
def site(demo) -> DemoServer:
    """The demo as `load_demo` left it: restored first if an earlier test wrote to it."""
    if demo.dirty:
        demo.reset()
    return demo


@pytest.fixture
def writes_to_demo(site) -> Iterator[DemoServer]:
    """For a test that changes data: the next test gets a freshly restored demo."""
    yield site
    site.dirty = True


@pytest.fixture(scope="package")
def chromium():
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    try:
        yield browser
    finally:
        browser.close()
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class Tab:
    """A browser tab on the demo that records JavaScript errors and failed loads."""

    def __init__(self, context, base_url: str):
        self.context = context
        self.base_url = base_url
        self.page = context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))
        self.page.on("console", self._console)
        self.page.on(
            "response",
            lambda response: self.errors.append(f"HTTP {response.status}: {response.url}")
            if response.status >= 400 and response.request.resource_type != "document" else None,
        )

    def _console(self, msg) -> None:
        if msg.type != "error":
            return
        source = (msg.location or {}).get("url", "")
        # Chromium asks for /favicon.ico on pages that name no icon (Django's admin): not a page error.
        if source.endswith("/favicon.ico"):
            return
        self.errors.append(f"console: {msg.text} ({source}) on {self.page.url}")

    def goto(self, path: str, expect_status: int = 200):
        response = self.page.goto(self.base_url + path)
        assert response is not None
        assert response.status == expect_status, f"{path}: HTTP {response.status}"
        return response

    def login(self, username: str, password: str = DEMO_PASSWORD) -> None:
        """Log in through the login form, as a person would."""
        self.goto("/accounts/login/")
        form = self.page.locator("main form")
        form.locator("[name=username]").fill(username)
        form.locator("[name=password]").fill(password)
        with self.page.expect_navigation():
            form.locator("button[type=submit]").click()
        assert "/accounts/login/" not in self.page.url, f"login of {username} failed"

    def submit(self, form_selector: str = "main form[method=post]") -> None:
        """Submit a form with its submit button and wait for the next page."""
        form = self.page.locator(form_selector)
        with self.page.expect_navigation():
            form.locator("[type=submit]").last.click()

    def figure(self, name: str) -> str:
        """The text of a headline figure (`data-figure="new_members"`), spaces normalised."""
        return " ".join(self.page.locator(f'[data-figure="{name}"]').inner_text().split())


@pytest.fixture
def browse(chromium, site) -> Iterator[Callable[..., Tab]]:
    """browse(user=None, viewport=DESKTOP, locale="vi-VN") -> a Tab, logged in when a user is given."""
    contexts = []

    def _open(user: str | None = None, *, viewport: dict = DESKTOP, locale: str = "vi-VN") -> Tab:
        context = chromium.new_context(viewport=viewport, locale=locale, accept_downloads=True)
        context.set_default_timeout(15_000)
        contexts.append(context)
        tab = Tab(context, site.url)
        if user:
            tab.login(user)
        return tab

    yield _open
    for context in contexts:
        context.close()
