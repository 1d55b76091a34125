"""Every `scrapy crawl …` shown in a shell block of the README or docs/ is one Scrapy accepts as written here: a
spider of this project, arguments it names, settings that exist. And every NetSword setting is documented.
(`netsword …` commands are checked by tests/foundation/test_docs_commands.py.)"""

from __future__ import annotations

import argparse
import inspect
import re
import shlex
from pathlib import Path

import pytest
from scrapy.commands.crawl import Command
from scrapy.settings import default_settings
from scrapy.spiderloader import SpiderLoader

from crawler import defaults
from crawler.profile_loader import available_profiles, load_profile
from crawler.run import project_settings

REPO = Path(__file__).resolve().parents[2]
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
_FENCE = re.compile(r"```(\w*)\n(.*?)```", re.S)
_SHELL = ("", "sh", "bash", "console", "shell")


def _commands() -> list[tuple[str, list[str]]]:
    found = []
    for page in PAGES:
        for language, block in _FENCE.findall(page.read_text(encoding="utf-8")):
            if language not in _SHELL:
                continue
            for line in block.splitlines():
                line = line.split(" #", 1)[0].strip()
                match = re.search(r"(?:^|\s|/)scrapy\s+(.*)$", line)
                if match and not line.startswith(("#", "python")):
                    found.append((f"{page.relative_to(REPO)}: {line}", shlex.split(match.group(1))))
    return found


COMMANDS = _commands()


def test_docs_show_scrapy_crawl() -> None:
    assert any(words[:2] == ["crawl", "marketplace"] for _, words in COMMANDS)


@pytest.mark.parametrize(("where", "words"), COMMANDS, ids=[w for w, _ in COMMANDS])
def test_documented_scrapy_command_is_accepted(where: str, words: list[str]) -> None:
    assert words[0] == "crawl", f"{where}: only `scrapy crawl` is documented"
    command = Command()
    command.settings = project_settings()
    parser = argparse.ArgumentParser(prog="scrapy crawl", exit_on_error=False)
    command.add_options(parser)
    try:
        opts, args = parser.parse_known_args(words[1:])
    except (argparse.ArgumentError, SystemExit) as exc:
        pytest.fail(f"{where}: Scrapy rejects it: {exc}")
    assert len(args) == 1, f"{where}: one spider, got {args} (an option Scrapy does not know?)"
    command.process_options(args, opts)
    spidercls = SpiderLoader.from_settings(command.settings).load(args[0])

    named = set(inspect.signature(spidercls.__init__).parameters) - {"self", "args", "kwargs"}
    assert set(opts.spargs) <= named, f"{where}: the {args[0]} spider takes no {set(opts.spargs) - named}"
    profile = opts.spargs.get("profile", "")
    if profile in available_profiles():
        load_profile(profile)
    else:
        assert profile.endswith(".yaml"), f"{where}: no bundled profile {profile!r}"
    if "max_pages" in opts.spargs:
        int(opts.spargs["max_pages"])

    for name in (item.split("=", 1)[0] for item in opts.set):
        assert hasattr(defaults, name) or hasattr(default_settings, name), f"{where}: no setting {name}"
    for name in ("NETSWORD_EVIDENCE", "NETSWORD_ALERTS"):
        command.settings.getbool(name)  # "false" and "true" read as booleans


def test_every_netsword_setting_is_documented() -> None:
    text = (REPO / "docs" / "crawling.md").read_text(encoding="utf-8")
    names = [name for name in dir(defaults) if name.startswith("NETSWORD_")]
    assert len(names) > 10
    assert [name for name in names if f"`{name}`" not in text] == []
