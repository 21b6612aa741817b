"""Where the repository is, the `soccer` binary the tests run, and the README's examples."""

import os
import re

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
MEDIA = os.path.join(ROOT, "media")


class MissingComponent(RuntimeError):
    """A program the tests start is not installed; its message says what installs it."""


def soccer_binary():
    """The `soccer` binary under test: $SOCCER_BIN, else the debug build."""
    path = os.environ.get("SOCCER_BIN", os.path.join(ROOT, ".build", "debug", "soccer"))
    if not os.access(path, os.X_OK):
        raise MissingComponent(f"{path} is missing: build it with `swift build` (make test does)")
    return path


def readme_example(marker):
    """The README's Python block after `<!-- marker -->`, as a user would copy it."""
    with open(os.path.join(ROOT, "README.md")) as f:
        text = f.read()
    match = re.search(rf"<!-- {marker} -->\s*```python\n(.*?)```", text, re.S)
    assert match, f"the README has no {marker}"
    return match.group(1)
