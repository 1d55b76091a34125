import os
import stat
from pathlib import Path

import pytest

from netsword import browser


def fake_executable(path: Path) -> Path:
    path.write_text("#!/bin/sh\necho 'Chromium 1.2.3'\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def test_configured_path_wins(tmp_path: Path) -> None:
    exe = fake_executable(tmp_path / "my-chrome")
    assert browser.ensure_browser(str(exe)) == str(exe)
    assert browser.browser_version(str(exe)) == "Chromium 1.2.3"


def test_configured_path_that_is_missing_fails_in_one_line(tmp_path: Path) -> None:
    with pytest.raises(browser.BrowserNotFound) as info:
        browser.ensure_browser(str(tmp_path / "nope"))
    assert "\n" not in str(info.value) and "apt-get install -y chromium" in str(info.value)


def test_discovery_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_executable(tmp_path / "chromium")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert browser.find_browser() == str(tmp_path / "chromium")


def test_nothing_found_and_no_install_says_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(browser, "CANDIDATE_PATHS", ())
    with pytest.raises(browser.BrowserNotFound, match="no Chromium or Chrome found; install Chromium"):
        browser.ensure_browser(auto_install=False)


def test_real_system_browser_is_found() -> None:
    """The set-up (`make`) installs Debian's chromium when missing; after it, discovery must succeed."""
    path = browser.find_browser(os.environ.get("NETSWORD_BROWSER_EXECUTABLE", ""))
    assert path, "run `make setup` (installs chromium) or set NETSWORD_BROWSER_EXECUTABLE"
    assert "chrom" in browser.browser_version(path).lower()


def test_a_chinese_font_is_installed_for_screenshots() -> None:
    """Set-up installs a CJK font (Debian's fonts-wqy-microhei) so Chinese evidence is legible, not boxes."""
    assert browser.cjk_fonts(), browser.CJK_FONT_HINT


def test_no_fontconfig_means_no_fonts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert browser.cjk_fonts() == []
