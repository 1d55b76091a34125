"""Find the Chromium that scrapy-playwright and the UI tests drive: configured path, else a system install.

`playwright install` cannot download browsers on machines without internet, so NetSword uses a system Chromium.
Resolution order: `browser.executable` (NETSWORD_BROWSER_EXECUTABLE), then well-known names on PATH and paths.
When none is found and we run as root on Debian/Ubuntu with `browser.auto_install`, `ensure_browser` installs
Debian's `chromium`; otherwise it fails with one line saying what to install.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

CANDIDATE_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
CANDIDATE_PATHS = ("/usr/bin/chromium", "/usr/lib/chromium/chromium", "/snap/bin/chromium", "/opt/google/chrome/chrome")
# Chromium flags for a closed network: no background calls home, no GPU, no sandbox when running as root.
LAUNCH_ARGS = (
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)
INSTALL_HINT = "install Chromium (Debian/Ubuntu: apt-get install -y chromium) or set NETSWORD_BROWSER_EXECUTABLE"
# Without a CJK font, Chinese text in evidence screenshots and the UI renders as empty boxes.
CJK_FONT_PACKAGE = "fonts-wqy-microhei"
CJK_FONT_HINT = f"install a Chinese font (Debian/Ubuntu: apt-get install -y {CJK_FONT_PACKAGE} or fonts-noto-cjk)"


class BrowserNotFound(RuntimeError):
    pass


def find_browser(configured: str = "") -> str | None:
    """The path of a usable Chromium/Chrome executable, or None."""
    if configured:
        path = shutil.which(configured) or configured
        return path if Path(path).is_file() and os.access(path, os.X_OK) else None
    for name in CANDIDATE_NAMES:
        found = shutil.which(name)
        if found:
            return found
    for candidate in CANDIDATE_PATHS:
        if Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def _can_install() -> bool:
    return (
        hasattr(os, "geteuid")
        and os.geteuid() == 0
        and Path("/etc/debian_version").exists()
        and bool(shutil.which("apt-get"))
    )


def ensure_browser(configured: str = "", *, auto_install: bool = True) -> str:
    """Find Chromium, installing Debian's package when allowed; raise BrowserNotFound with a one-line hint."""
    if configured:
        found = find_browser(configured)
        if found:
            return found
        raise BrowserNotFound(f"browser.executable {configured!r} is not an executable file; {INSTALL_HINT}")
    found = find_browser()
    if found:
        return found
    if auto_install and _can_install():
        print("netsword: no Chromium found; installing Debian's chromium package …", file=sys.stderr)
        _apt_install("chromium")
        found = find_browser()
        if found:
            return found
    raise BrowserNotFound(f"no Chromium or Chrome found; {INSTALL_HINT}")


def _apt_install(package: str) -> None:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", package], check=False, env=env)


def cjk_fonts() -> list[str]:
    """Font families that cover Chinese, as fontconfig sees them ([] when none, or no fontconfig)."""
    try:
        out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return []
    return sorted({line.split(",")[0].strip() for line in out.stdout.splitlines() if line.strip()})


def ensure_cjk_font(*, auto_install: bool = True) -> list[str]:
    """Chinese fonts for screenshots, installing Debian's when allowed; [] (and a warning) when there are none."""
    found = cjk_fonts()
    if not found and auto_install and _can_install():
        print(f"netsword: no Chinese font found; installing Debian's {CJK_FONT_PACKAGE} …", file=sys.stderr)
        _apt_install(CJK_FONT_PACKAGE)
        found = cjk_fonts()
    return found


def browser_version(path: str) -> str:
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unknown ({exc})"
    return out.stdout.strip() or out.stderr.strip() or "unknown"


def launch_args() -> list[str]:
    args = list(LAUNCH_ARGS)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")
    return args


def main() -> int:
    """`python -m netsword.browser`: used by the Makefile's set-up step."""
    from netsword.config import ConfigError, load_config

    try:
        cfg = load_config()
        path = ensure_browser(cfg.browser.executable, auto_install=cfg.browser.auto_install)
    except (BrowserNotFound, ConfigError) as exc:
        print(f"netsword: {exc}", file=sys.stderr)
        return 1
    print(f"browser: {path}")
    fonts = ensure_cjk_font(auto_install=cfg.browser.auto_install)
    if fonts:
        print(f"Chinese fonts: {', '.join(fonts[:3])}")
    else:
        print(f"netsword: warning: no Chinese font; screenshots will show boxes for Chinese text; {CJK_FONT_HINT}",
              file=sys.stderr)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
