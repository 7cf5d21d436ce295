"""The first visit on an office line: an officer's dashboard, as production serves it.

A district office often shares a 10 Mbit/s line. The page is served by gunicorn with
DEBUG off and the static files collected and compressed by whitenoise (what a deployment
sends), and Chromium throttles the network through the DevTools protocol. The browser
starts with an empty cache, as on the first visit.
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
    "latency": 40,  # ms, each way to the server and back
    "downloadThroughput": 10 * MBIT,
    "uploadThroughput": 10 * MBIT,
}
BUDGET_SECONDS = 3.0
CHARTS_DRAWN = "() => document.querySelectorAll('.chart[data-drawn]').length === 3"


@pytest.fixture
def production(site):
    server = ProductionServer(site)
    server.start()
    yield server
    server.stop()


def test_officer_dashboard_is_usable_within_3_s_on_a_10_mbit_line(chromium, production):
    context = chromium.new_context(viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", OFFICE_LINE)
    scripts = []
    page.on("response", lambda r: scripts.append(r) if r.request.resource_type == "script" else None)

    page.goto(production.url + "/accounts/login/")
    form = page.locator("main form")
    form.locator("[name=username]").fill("officer.thanhxuan")
    form.locator("[name=password]").fill(DEMO_PASSWORD)
    started = time.monotonic()
    form.locator("button[type=submit]").click()
    # Usable: the officer's page is there with its figures and all three charts drawn.
    page.wait_for_function(CHARTS_DRAWN, timeout=30_000)
    elapsed = time.monotonic() - started
    assert "/federations/thanh-xuan/" in page.url
    assert page.locator('[data-figure="new_members"]').is_visible()

    plotly = next(r for r in scripts if "/vendor/plotly/" in r.url)
    sent = plotly.request.sizes()["responseBodySize"]
    print(f"first dashboard in {elapsed:.2f} s; chart bundle {plotly.url.rsplit('/', 1)[-1]}: "
          f"{sent / 1024:.0f} KB over the wire ({plotly.header_value('content-encoding')})")
    context.close()
    assert plotly.header_value("content-encoding") == "br", "the chart bundle is sent uncompressed"
    assert elapsed < BUDGET_SECONDS, f"the first dashboard took {elapsed:.2f} s"
