"""Finding and launching Chromium the same way on every machine.

Playwright's own Chromium is preferred where ``playwright install chromium`` worked; where its
download is blocked (as on our build machines) the distribution's ``chromium`` package is used.
Nothing is hard-coded: the configured path wins, then Playwright's build, then ``PATH``.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

SYSTEM_CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

#: flags that keep a headless worker quiet on a closed network and inside containers
BASE_LAUNCH_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
#: Chromium ≥ 156 starts an omnibox WebUI renderer per window: ~15% CPU and ~30% memory per context
LEAN_DISABLED_FEATURES = ("WebUIOmniboxPopup", "WebUIOmniboxAimPopup")


class ChromiumNotFound(RuntimeError):
    """No Chromium could be found; the message says how to install one."""


def playwright_chromium_path() -> Path | None:
    """Playwright's own Chromium build, if ``playwright install chromium`` has put it in place."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is a dependency
        return None
    registry = os.environ.get("PLAYWRIGHT_BROWSERS_PATH")
    if registry == "0":
        return None
    with sync_playwright() as pw:
        candidate = Path(pw.chromium.executable_path)
    return candidate if candidate.is_file() else None


def find_chromium(configured: Path | None = None, *, probe_playwright: bool = True) -> Path:
    """Return the Chromium to launch, or raise :class:`ChromiumNotFound` with the fix."""
    if configured is not None:
        if configured.is_file() and os.access(configured, os.X_OK):
            return configured
        raise ChromiumNotFound(
            f"browser.executable_path = {str(configured)!r} is not an executable file; "
            "fix ARWORKER_BROWSER__EXECUTABLE_PATH or unset it to auto-detect"
        )
    if probe_playwright:
        own = playwright_chromium_path()
        if own is not None:
            return own
    for name in SYSTEM_CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    raise ChromiumNotFound(
        "no Chromium found: run 'python -m playwright install chromium', or on Debian/Ubuntu "
        "'apt-get install -y chromium', or set ARWORKER_BROWSER__EXECUTABLE_PATH"
    )


def playwright_disabled_features() -> tuple[str, ...]:
    """Playwright's own ``--disable-features`` list, read from the installed driver.

    A second ``--disable-features`` flag replaces the first, so adding ours means repeating
    Playwright's. Reading it from the driver keeps us right when Playwright changes its list.
    """
    import playwright

    root = Path(playwright.__file__).parent / "driver" / "package" / "lib"
    candidates = [*root.rglob("chromiumSwitches.js"), *root.glob("coreBundle.js")]
    for candidate in candidates:
        text = candidate.read_text(encoding="utf-8", errors="replace")
        match = _DISABLED_FEATURES_ARRAY.search(text)
        if match is None:
            continue
        body = re.sub(r"//[^\n]*", "", match.group(1))
        return tuple(re.findall(r'^\s*"([A-Za-z0-9_]+)",?\s*$', body, flags=re.MULTILINE))
    return ()


_DISABLED_FEATURES_ARRAY = re.compile(
    r"disabledFeatures\s*=\s*(?:\([^)]*\)\s*=>\s*)?\[(.*?)\]", re.S
)


def launch_args(*, lean: bool) -> list[str]:
    """Chromium flags: the quiet base set, plus the lean feature list that keeps Playwright's."""
    args = list(BASE_LAUNCH_ARGS)
    if lean:
        features = [*playwright_disabled_features(), *LEAN_DISABLED_FEATURES]
        args.append("--disable-features=" + ",".join(dict.fromkeys(features)))
    return args


def main() -> int:
    """``python -m connectors.portals.chromium``: print the Chromium that would be launched."""
    try:
        path = find_chromium(
            Path(os.environ["ARWORKER_BROWSER__EXECUTABLE_PATH"])
            if os.environ.get("ARWORKER_BROWSER__EXECUTABLE_PATH")
            else None
        )
    except ChromiumNotFound as exc:
        print(str(exc), file=sys.stderr)  # noqa: T201 - this is a command-line probe
        return 1
    print(path)  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
