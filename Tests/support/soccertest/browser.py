"""Debian's chromium, driven by Playwright: no browser is downloaded. A page's console errors
and every request it makes are kept, for tests to check."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .paths import ROOT, MissingComponent

CHROMIUM = "/usr/bin/chromium"
# Screenshots the browser tests take, kept after the run.
ARTIFACTS = Path(os.environ.get("SOCCER_ARTIFACTS", os.path.join(ROOT, "test-artifacts")))


@contextlib.contextmanager
def chromium(namespace: str | None = None) -> Iterator[Any]:
    """A headless chromium, closed on the way out; in network namespace `namespace` when given
    (a ThinLink's client side)."""
    if not shutil.which(CHROMIUM):
        raise MissingComponent("chromium is not installed: run tools/install-deps")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="soccer-chromium-") as folder:
        executable = CHROMIUM
        if namespace is not None:
            # Playwright starts the program it is given: one that enters the namespace first.
            executable = os.path.join(folder, "chromium")
            with open(executable, "w") as script:
                script.write(f'#!/bin/sh\nexec ip netns exec {namespace} {CHROMIUM} "$@"\n')
            os.chmod(executable, 0o755)
        with sync_playwright() as playwright:
            # Root has no user namespace sandbox here; the pages are our own.
            browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
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
