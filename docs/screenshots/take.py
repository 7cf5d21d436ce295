"""Screenshots of Unionboard's main pages, in Vietnamese, on a desktop and on a phone.

    make screenshots            (or: .venv/bin/python docs/screenshots/take.py [PAGE ...])

Serves the demo city exactly as the browser tests do (a fresh database, migrated and
loaded with `load_demo`, on a free port), drives Debian's Chromium through Playwright
and writes `<page>-desktop.png` (1366 px wide) and `<page>-phone.png` (375 px wide) here.
Set DATABASE_URL to a PostgreSQL database to take them from PostgreSQL instead of SQLite.
Chromium shows date fields as dd/mm/yyyy only with its Vietnamese resources installed
(`apt-get install -y chromium-l10n`); without them they read mm/dd/yyyy.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from tests.browser.demo_server import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    DEMO_PASSWORD,
    DemoServer,
)

# (file name, user or None, path, what to wait for before the picture)
PAGES = [
    ("login", None, "/accounts/login/", "form"),
    ("overview", "city.staff", "/overview/?year=2024", '.chart[data-drawn="true"]'),
    ("rankings", "city.staff", "/rankings/?year=2024", "table.ranking-table"),
    ("federation", "officer.thanhxuan", "/federations/thanh-xuan/?year=2024", '.chart[data-drawn="true"]'),
    ("unions", "officer.thanhxuan", "/unions/", "main table"),
    ("members", "officer.thanhxuan", "/members/", "main table"),
    ("member-form", "officer.thanhxuan", "/members/new/", "main form"),
    ("reports", "officer.thanhxuan", "/federations/thanh-xuan/reports/", "main form"),
    ("employers", "officer.thanhxuan", "/employers/", "main table"),
    ("admin-quotas", "admin", "/admin/targets/quota/?year=2024", "#result_list"),
]
VIEWPORTS = {
    "desktop": {"width": 1366, "height": 900},
    "phone": {"width": 375, "height": 812},
}
MAX_HEIGHT = {"desktop": 1400, "phone": 1900}  # px; the top of a long page tells its story


def login(page, base_url: str, username: str) -> None:
    page.goto(base_url + "/accounts/login/")
    form = page.locator("main form")
    form.locator("[name=username]").fill(username)
    form.locator("[name=password]").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def take(browser, base_url: str, out: Path, only: list[str]) -> list[Path]:
    written = []
    for size, viewport in VIEWPORTS.items():
        contexts = {}
        for name, user, path, ready in PAGES:
            if only and name not in only:
                continue
            if user not in contexts:
                context = browser.new_context(viewport=viewport, locale="vi-VN")
                page = context.new_page()
                if user:
                    login(page, base_url, user)
                contexts[user] = (context, page)
            page = contexts[user][1]
            response = page.goto(base_url + path)
            if response is None or response.status != 200:
                raise SystemExit(f"{path}: HTTP {response.status if response else '?'}")
            page.locator(ready).first.wait_for()
            page.wait_for_timeout(300)  # let Plotly finish its transitions
            height = min(page.evaluate("document.documentElement.scrollHeight"), MAX_HEIGHT[size])
            target = out / f"{name}-{size}.png"
            page.screenshot(
                path=target, full_page=True,
                clip={"x": 0, "y": 0, "width": viewport["width"], "height": height},
            )
            written.append(target)
        for context, _page in contexts.values():
            context.close()
    return written


def main() -> None:
    unknown = set(sys.argv[1:]) - {name for name, *_ in PAGES}
    if unknown:
        raise SystemExit(f"unknown page(s): {', '.join(sorted(unknown))}")
    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="unionboard-screenshots-") as workdir:
        server = DemoServer(Path(workdir), os.environ.get("DATABASE_URL"), suffix="screenshots")
        print("Loading the demo city…", flush=True)
        server.prepare()
        server.start()
        try:
            with sync_playwright() as playwright:
                # A Vietnamese browser: dates typed as dd/mm/yyyy in date fields, too.
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, "--lang=vi-VN"],
                    env={**os.environ, "LANG": "vi_VN.UTF-8", "LANGUAGE": "vi"},
                )
                for path in take(browser, server.url, HERE, sys.argv[1:]):
                    print(f"{path.relative_to(HERE.parents[1])}  {path.stat().st_size // 1024} KB")
                browser.close()
        finally:
            server.stop()
            server.drop()


if __name__ == "__main__":
    main()
