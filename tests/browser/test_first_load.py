"""The first visit on an office line: an officer opens Unionboard and gets their dashboard.

A district office often shares a 10 Mbit/s line. The page is served as in production:
gunicorn with DEBUG off and the static files collected and compressed by whitenoise
(`runserver` in DEBUG sends them uncompressed). Chromium throttles the network through the
DevTools protocol. Nothing is kept in the page cache (CONTENT_CACHE_SECONDS=0), so the
dashboard is computed for the visit, as for a first one.

The officer logs in first; then the browser's cache is emptied, so that the styles, the
scripts and the chart bundle all come over the line, and the clock runs from opening `/`
(which sends an officer to their federation) to the last chart drawn. The password check
of the login is left out: it is the server's work on purpose, not page weight. The time is
wall-clock time on this machine; the best of three visits counts, so that other work on a
shared machine does not decide the result, and the bundle's size on the wire is checked
exactly.
"""

from __future__ import annotations

import time

import pytest

from tests.browser.conftest import DESKTOP
from tests.browser.demo_server import DEMO_PASSWORD, ProductionServer

pytestmark = pytest.mark.browser

MBIT = 1_000_000 / 8  # bytes per second
OFFICE_LINE = {
    "offline": False,
    "latency": 40,  # ms added to every request
    "downloadThroughput": 10 * MBIT,
    "uploadThroughput": 10 * MBIT,
}
BUDGET_SECONDS = 3.0
CHART_BUNDLE_MAX_BYTES = 400 * 1024  # plotly.js basic, brotli: 321 KB (the full bundle: 1.1 MB)
CHARTS_DRAWN = "() => document.querySelectorAll('.chart[data-drawn]').length === 3"


# With DEBUG off the demo password signs no one in (demo.auth): the officer gets another.
PRODUCTION_PASSWORD = "first-load-officer-password"


def _officer_password(site, password: str) -> None:
    site._manage(
        "shell", "-c",
        "from django.contrib.auth.models import User\n"
        "user = User.objects.get(username='officer.thanhxuan')\n"
        f"user.set_password({password!r})\n"
        "user.save()",
    )


@pytest.fixture
def production(site):
    _officer_password(site, PRODUCTION_PASSWORD)
    server = ProductionServer(site, CONTENT_CACHE_SECONDS="0")
    server.start()
    yield server
    server.stop()
    _officer_password(site, DEMO_PASSWORD)


def first_dashboard(chromium, base_url: str) -> tuple[float, dict]:
    """Thanh Xuân's officer on a throttled line, empty cache: seconds from `/` to the charts drawn."""
    context = chromium.new_context(viewport=DESKTOP, locale="vi-VN")
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", OFFICE_LINE)
        bundles = []
        page.on("response", lambda r: bundles.append(r) if "/vendor/plotly/" in r.url else None)
        page.goto(base_url + "/accounts/login/")
        form = page.locator("main form")
        form.locator("[name=username]").fill("officer.thanhxuan")
        form.locator("[name=password]").fill(PRODUCTION_PASSWORD)
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        cdp.send("Network.clearBrowserCache")
        bundles.clear()
        started = time.monotonic()
        page.goto(base_url + "/", wait_until="commit")
        page.wait_for_function(CHARTS_DRAWN, timeout=60_000)
        elapsed = time.monotonic() - started
        assert "/federations/thanh-xuan/" in page.url
        assert page.locator('[data-figure="new_members"]').is_visible()
        (bundle,) = bundles
        sent = {
            "name": bundle.url.rsplit("/", 1)[-1],
            "encoding": bundle.header_value("content-encoding"),
            "bytes": bundle.request.sizes()["responseBodySize"],
        }
        return elapsed, sent
    finally:
        context.close()


def test_officer_dashboard_is_usable_within_3_s_on_a_10_mbit_line(chromium, production):
    visits = [first_dashboard(chromium, production.url) for _ in range(3)]
    times = [elapsed for elapsed, _ in visits]
    bundle = visits[0][1]
    print(f"first dashboard: {', '.join(f'{t:.2f}' for t in times)} s; chart bundle {bundle['name']}: "
          f"{bundle['bytes'] / 1024:.0f} KB ({bundle['encoding']})")
    assert bundle["encoding"] == "br", "the chart bundle is not sent compressed with brotli"
    assert bundle["bytes"] <= CHART_BUNDLE_MAX_BYTES, bundle
    assert min(times) < BUDGET_SECONDS, f"the first dashboard took {min(times):.2f} s at best"
