"""Debian's chromium, driven by Playwright: no browser is downloaded. A page's console errors
and every request it makes are kept, for tests to check."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .paths import ROOT, MissingComponent

CHROMIUM = "/usr/bin/chromium"
# Screenshots the browser tests take, kept after the run.
ARTIFACTS = Path(os.environ.get("SOCCER_ARTIFACTS", os.path.join(ROOT, "test-artifacts")))


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """A headless chromium, closed on the way out."""
    if not shutil.which(CHROMIUM):
        raise MissingComponent("chromium is not installed: run tools/install-deps")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Root has no user namespace sandbox here; the pages are our own, on loopback.
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Watched:
    """A page and what it did: its console errors, uncaught exceptions and requests."""

    page: Any
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path


def watched_page(browser: Any, width: int = 1280, height: int = 800) -> Watched:
    """A new page in a context of its own (its own session storage), recording what it does."""
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    watched = Watched(page)
    page.on("console", lambda message: watched.errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: watched.errors.append(f"uncaught: {error}"))
    page.on("request", lambda request: watched.requests.append(request.url))
    return watched
