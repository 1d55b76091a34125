import re
from dataclasses import fields
from pathlib import Path

import pytest

from netsword.config import Config, ConfigError, load_config

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_defaults_need_no_file(isolated: Path) -> None:
    cfg = load_config()
    assert cfg.store_url == "sqlite:///var/netsword.db"
    assert cfg.evidence_dir == Path("var/evidence") and cfg.outbox_dir == Path("var/outbox")
    assert cfg.matching.min_score == 50


def test_file_then_environment(isolated: Path) -> None:
    Path("netsword.toml").write_text('[matching]\nmin_score = 60\n[smtp]\nhost = "mail"\nport = 587\n')
    cfg = load_config(env={"NETSWORD_SMTP_PORT": "2525", "NETSWORD_MATCHING_WATCHLISTS": "a.yaml, b.yaml"})
    assert cfg.matching.min_score == 60
    assert cfg.smtp.host == "mail" and cfg.smtp.port == 2525
    assert cfg.matching.watchlists == ("a.yaml", "b.yaml")


@pytest.mark.parametrize(
    ("toml", "env", "message"),
    [
        ("[smtp]\nprot = 25\n", {}, "smtp.prot: unknown key"),
        ("[mail]\nhost = 'x'\n", {}, "mail: unknown section"),
        ("[smtp]\nport = 'abc'\n", {}, "smtp.port: must be a whole number, got 'abc'"),
        ("[browser]\nheadless = 'yes'\n", {}, "browser.headless: must be true or false"),
        (
            "[smtp]\npassword = 'hunter2'\n",
            {},
            "smtp.password: is a secret; set it in the environment as NETSWORD_SMTP_PASSWORD",
        ),
        ("", {"NETSWORD_SMTP_PORT": "x"}, "smtp.port (from NETSWORD_SMTP_PORT): must be a whole number"),
        ("", {"NETSWORD_SMTP_HSOT": "x"}, "NETSWORD_SMTP_HSOT: unknown setting in the environment"),
        ("[smtp]\nsecurity = 'ssl'\n", {}, "smtp.security: must be none, starttls or tls"),
        ("[matching]\nmin_score = 101\n", {}, "matching.min_score: must be 0–100"),
        ("[store]\nurl = 'mysql://x'\n", {}, "store.url: must start with sqlite:/// or http(s)://"),
        ("[matching]\nwatchlists = 'a.yaml'\n", {}, "matching.watchlists: must be a list of text"),
        ("smtp = 3\n", {}, "smtp: must be a table"),
        ("[smtp\n", {}, "not valid TOML"),
    ],
)
def test_errors_name_the_key(isolated: Path, toml: str, env: dict, message: str) -> None:
    Path("netsword.toml").write_text(toml)
    with pytest.raises(ConfigError) as info:
        load_config(env=env)
    assert message in str(info.value)


def test_missing_config_file(isolated: Path) -> None:
    with pytest.raises(ConfigError, match="nope.toml: no such configuration file"):
        load_config("nope.toml", env={})


def test_secrets_come_from_the_environment(isolated: Path) -> None:
    assert load_config(env={"NETSWORD_SMTP_PASSWORD": "s3cret"}).smtp.password == "s3cret"


def test_config_is_frozen(isolated: Path) -> None:
    cfg = load_config()
    with pytest.raises(AttributeError):
        cfg.smtp.port = 1  # type: ignore[misc]


def test_every_setting_is_documented_and_every_documented_setting_exists() -> None:
    """The configuration page and the code list the same sections and keys."""
    text = DOC.read_text(encoding="utf-8")
    documented: dict[str, set[str]] = {}
    section = ""
    for line in text.splitlines():
        heading = re.match(r"^## \[(\w+)\]", line)
        if heading:
            section = heading.group(1)
            documented[section] = set()
        row = re.match(r"^\| `(\w+)` \|", line)
        if row and section:
            documented[section].add(row.group(1))
    in_code = {
        f.name: {k.name for k in fields(f.default_factory())}  # type: ignore[misc]
        for f in fields(Config)
        if f.name != "source"
    }
    assert documented == in_code
