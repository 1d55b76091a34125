"""Configuration: `netsword.toml`, overridden key by key by `NETSWORD_<SECTION>_<KEY>` environment variables.

Parsed once into frozen dataclasses. Defaults need no file at all. An unknown section or key, or a value of the
wrong type, is a ConfigError naming `section.key`. Secrets (marked below) are read only from the environment.
Every key is documented in docs/configuration.md; a test keeps the two in step.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
import types
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints

SECRET = {"secret": True}


class ConfigError(ValueError):
    """A bad configuration file, key or value; the message names the key."""


@dataclass(frozen=True)
class PathsConfig:
    var_dir: str = "var"
    evidence_dir: str = ""  # default: <var_dir>/evidence
    outbox_dir: str = ""  # default: <var_dir>/outbox


@dataclass(frozen=True)
class StoreConfig:
    url: str = ""  # default: sqlite:///<var_dir>/netsword.db ; http(s)://… selects Elasticsearch (or OpenSearch)
    engine: str = "elasticsearch"  # what an http(s):// store URL is: elasticsearch or opensearch
    index_prefix: str = "netsword"
    es_api_key: str = field(default="", metadata=SECRET)
    es_username: str = ""
    es_password: str = field(default="", metadata=SECRET)
    es_ca_certs: str = ""
    es_verify_certs: bool = True
    es_timeout: float = 30.0
    es_compat_version: int = 8  # REST compatibility header: 8 talks to 8.x and 9.x clusters, 9 to 9.x only
    es_chunk_size: int = 500  # leads per bulk request
    es_max_retries: int = 5  # retries of a bulk item the cluster rejected with 429, with exponential backoff
    listings_retention_days: int = 90  # kept listings unseen this long are dropped by the retention job; 0: never


@dataclass(frozen=True)
class MatchingConfig:
    min_score: int = 50
    watchlists: tuple[str, ...] = ()  # default: the bundled samples
    cue_lexicon: str = ""  # extra cue terms, a TSV of term / lang / kind
    # score weights and thresholds: matchers.MatchSettings, docs/matching.md
    exact_score: float = 45.0
    disguise_score: float = 55.0
    typo_score: float = 45.0
    pinyin_score: float = 45.0
    homophone_score: float = 45.0
    near_mark_score: float = 45.0
    codeword_score: float = 45.0
    distinctive_bonus: float = 5.0
    class_match: float = 15.0
    related_class: float = 8.0
    class_mismatch_penalty: float = 45.0
    cue_word: float = 20.0
    cue_word_extra: float = 5.0
    cue_word_cap: float = 30.0
    evasion_phrase: float = 20.0
    price_ratio: float = 0.5
    price_anomaly: float = 20.0
    absurd_price_ratio: float = 0.2
    absurd_price: float = 30.0
    unauthorized_seller: float = 5.0
    nominative_penalty: float = 45.0
    resale_penalty: float = 20.0
    false_marking_score: float = 70.0
    patent_citation_score: float = 60.0
    patent_keyword_score: float = 45.0
    gi_outside_region_score: float = 70.0
    gi_unauthorized_score: float = 55.0
    gi_unknown_origin_score: float = 45.0
    short_latin_max: int = 3
    min_typo_length: int = 5
    index_cache: bool = True  # keep the compiled trademark index under <var_dir>/cache (matchers/index_cache.py)
    learned_scorer: str = ""  # weights trained from decisions (netsword scorer train); empty: the static rules score


@dataclass(frozen=True)
class BrowserConfig:
    executable: str = ""  # default: discovered (chromium, chromium-browser, google-chrome …)
    headless: bool = True
    auto_install: bool = True  # install Debian's chromium when none is found and running as root


@dataclass(frozen=True)
class CrawlerConfig:
    obey_robots: bool = True
    concurrency_per_domain: int = 8
    download_delay: float = 0.0
    autothrottle: bool = True
    max_pages: int = 50
    user_agent: str = "NetSwordBot/0.1 (+https://example.org/netsword)"
    cookies_file: str = ""
    proxy: str = field(default="", metadata=SECRET)
    # per platform, each "PLATFORM=VALUE" (crawler/platform_config.py; docs/crawling.md "Blocks, sessions, proxies")
    sessions: tuple[str, ...] = ()  # PLATFORM=FILE: a logged-in session, Netscape cookies.txt or Playwright state
    proxies: tuple[str, ...] = ()  # PLATFORM=FILE: proxy URLs, one a line, used in turn; PLATFORM=URL for one
    proxy_rest: float = 60.0  # seconds a proxy that failed is left out of the rotation
    daily_requests: tuple[str, ...] = ()  # PLATFORM=N: requests a platform may be sent per day, all runs together
    profiles_dir: str = ""  # your own profiles (NAME.yaml): `netsword profile list` and `profile check NAME` read them
    max_page_bytes: int = 8 * 1024 * 1024  # a response or rendered page larger than this is cut and not read
    page_timeout: float = 30.0  # seconds per request (DOWNLOAD_TIMEOUT) and per Chromium navigation


@dataclass(frozen=True)
class SmtpConfig:
    host: str = ""  # empty: write .eml files to the outbox directory instead of sending
    port: int = 25
    security: str = "none"  # none | starttls | tls
    username: str = ""
    password: str = field(default="", metadata=SECRET)
    sender: str = "NetSword <netsword@localhost>"
    timeout: float = 20.0
    ca_file: str = ""


@dataclass(frozen=True)
class AlertsConfig:
    rules_file: str = ""
    base_url: str = "http://127.0.0.1:8470"
    timezone: str = "Asia/Shanghai"
    language: str = "zh"
    max_attempts: int = 8
    retry_seconds: float = 60.0  # first retry delay; doubles per attempt, at most 6 hours
    claim_seconds: float = 300.0  # a sender's claim on a message (at least 3 × smtp.timeout): others wait that long
    hourly_cap: int = 20  # messages per recipient per hour unless the rules file says otherwise
    contacts_min_score: int = 70  # without a rules file: watchlist contacts hear of leads at or above this
    operators: tuple[str, ...] = ()  # addresses told when a crawl is blocked (captcha, login wall, access denied)


@dataclass(frozen=True)
class TriageConfig:
    host: str = "127.0.0.1"
    port: int = 8470
    secret_key: str = field(default="", metadata=SECRET)
    session_hours: float = 8.0
    language: str = "zh"
    page_size: int = 50  # leads per queue page
    secure_cookies: bool = True  # Secure flag on cookies; browsers accept it on http://127.0.0.1 and localhost
    login_max_failures: int = 5  # failed logins per account or address in 15 minutes before attempts slow down
    login_max_delay: float = 30.0  # longest wait (seconds) before a slowed-down login attempt is checked
    trusted_proxies: tuple[str, ...] = ()  # addresses/networks whose X-Forwarded-For names the client
    min_password_score: int = 3  # zxcvbn strength 0–4 a new password must reach
    four_eyes: bool = True  # a referral's creator may not approve it


@dataclass(frozen=True)
class KeysConfig:
    dir: str = ""  # default: $XDG_CONFIG_HOME/netsword/keys (~/.config/netsword/keys); never inside var_dir
    audit: str = field(default="", metadata=SECRET)  # default: <keys dir>/audit.key, made on first use
    evidence: str = field(default="", metadata=SECRET)  # default: <keys dir>/evidence.key: seals the evidence ledger


@dataclass(frozen=True)
class SchedulerConfig:
    jobs_file: str = ""
    jobstore_url: str = ""  # default: sqlite:///<var_dir>/scheduler.db
    timezone: str = "Asia/Shanghai"
    workers: int = 1  # jobs that may run at the same time (1: one at a time, so crawls never compete)
    stop_grace: float = 20.0  # seconds a stopped crawl gets to checkpoint its JOBDIR before it is killed


@dataclass(frozen=True)
class DistributedConfig:
    redis_url: str = ""  # any Redis or Valkey (redis://host:6379/0, unix:///path); "": crawl --distributed starts one
    redis_password: str = field(default="", metadata=SECRET)
    key_prefix: str = "netsword"  # every key the distributed crawl keeps starts with this
    worker_ttl: float = 15.0  # seconds without a heartbeat after which a worker's requests in flight are re-queued
    redis_server: str = ""  # the redis-server (or valkey-server) a local distributed crawl starts; default: found


@dataclass(frozen=True)
class ParcelsConfig:
    db_path: str = ""  # default: the store's SQLite file, or <var_dir>/parcels.db when the store is Elasticsearch
    couriers_dir: str = ""  # extra courier column mappings (YAML), overriding the bundled ones by name
    pii_key: str = field(default="", metadata=SECRET)  # default: <keys dir>/parcels-pii.key (netsword.keys)
    window_days: float = 7.0
    low_value: float = 300.0
    min_parcels: int = 12
    min_receivers: int = 8
    min_senders: int = 5
    link_threshold: float = 85.0
    max_block: int = 300
    hub_size: int = 8  # a phone or address of this many names, or a receiver of this many senders, links nobody
    min_shared_receivers: int = 3  # senders with this many receivers in common are one party
    shippers_file: str = ""  # the register of authorised shippers (YAML; docs/parcels.md)
    declared_leads: bool = True
    fetch_timeout: float = 60.0


@dataclass(frozen=True)
class TimestampsConfig:
    # RFC 3161 trusted timestamps over each capture's manifest hash (evidence/timestamps.py, docs/evidence.md)
    tsa_urls: tuple[str, ...] = ()  # time-stamping authorities, tried in order; none: captures wait in the queue
    trust_roots: tuple[str, ...] = ()  # PEM files of the CA certificates a TSA's certificate must chain to
    timeout: float = 20.0  # seconds per request to a TSA
    retry_seconds: float = 300.0  # first wait after every TSA failed; doubles per attempt, at most 6 hours
    tsa_password: str = field(default="", metadata=SECRET)  # basic-auth password for TSA URLs naming a user (user@host)


@dataclass(frozen=True)
class Config:
    paths: PathsConfig = field(default_factory=PathsConfig)
    store: StoreConfig = field(default_factory=StoreConfig)
    matching: MatchingConfig = field(default_factory=MatchingConfig)
    browser: BrowserConfig = field(default_factory=BrowserConfig)
    crawler: CrawlerConfig = field(default_factory=CrawlerConfig)
    smtp: SmtpConfig = field(default_factory=SmtpConfig)
    alerts: AlertsConfig = field(default_factory=AlertsConfig)
    triage: TriageConfig = field(default_factory=TriageConfig)
    keys: KeysConfig = field(default_factory=KeysConfig)
    scheduler: SchedulerConfig = field(default_factory=SchedulerConfig)
    parcels: ParcelsConfig = field(default_factory=ParcelsConfig)
    distributed: DistributedConfig = field(default_factory=DistributedConfig)
    timestamps: TimestampsConfig = field(default_factory=TimestampsConfig)
    source: str = ""

    @property
    def var_dir(self) -> Path:
        return Path(self.paths.var_dir)

    @property
    def evidence_dir(self) -> Path:
        return Path(self.paths.evidence_dir or self.var_dir / "evidence")

    @property
    def outbox_dir(self) -> Path:
        return Path(self.paths.outbox_dir or self.var_dir / "outbox")

    @property
    def store_url(self) -> str:
        return self.store.url or f"sqlite:///{self.var_dir / 'netsword.db'}"

    @property
    def scheduler_jobstore_url(self) -> str:
        return self.scheduler.jobstore_url or f"sqlite:///{self.var_dir / 'scheduler.db'}"


SECTIONS: dict[str, type] = {f.name: f.type for f in fields(Config) if f.name != "source"}  # type: ignore[misc]


def _section_types() -> dict[str, type]:
    hints = get_type_hints(Config)
    return {name: hints[name] for name in SECTIONS}


def _convert(key: str, hint: Any, value: Any, from_env: bool) -> Any:
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        hint = next(a for a in get_args(hint) if a is not type(None))
        origin = get_origin(hint)
    if hint is bool:
        if isinstance(value, bool):
            return value
        if (
            from_env
            and isinstance(value, str)
            and value.lower() in ("1", "true", "yes", "on", "0", "false", "no", "off")
        ):
            return value.lower() in ("1", "true", "yes", "on")
        raise ConfigError(f"{key}: must be true or false, got {value!r}")
    if hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if from_env and isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value)
        raise ConfigError(f"{key}: must be a whole number, got {value!r}")
    if hint is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if from_env and isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                pass
        raise ConfigError(f"{key}: must be a number, got {value!r}")
    if hint is str:
        if isinstance(value, str):
            return value
        raise ConfigError(f"{key}: must be text, got {value!r}")
    if origin is tuple:
        if from_env and isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
        raise ConfigError(f"{key}: must be a list of text, got {value!r}")
    raise ConfigError(f"{key}: unsupported setting type {hint!r}")  # pragma: no cover - a programming error


def _build_section(name: str, cls: type, table: Mapping[str, Any], env: Mapping[str, str]) -> Any:
    hints = get_type_hints(cls)
    known = {f.name: f for f in fields(cls)}
    for key in table:
        if key not in known:
            raise ConfigError(f"{name}.{key}: unknown key (known: {', '.join(sorted(known))})")
    values: dict[str, Any] = {}
    for key, fld in known.items():
        full = f"{name}.{key}"
        env_name = f"NETSWORD_{name}_{key}".upper()
        if key in table:
            if fld.metadata.get("secret"):
                raise ConfigError(f"{full}: is a secret; set it in the environment as {env_name}, not in the file")
            values[key] = _convert(full, hints[key], table[key], from_env=False)
        if env_name in env:
            values[key] = _convert(f"{full} (from {env_name})", hints[key], env[env_name], from_env=True)
    return cls(**values)


def _check_env(env: Mapping[str, str], sections: Mapping[str, type]) -> None:
    """A misspelt NETSWORD_* variable would silently do nothing; refuse it instead."""
    valid = {f"NETSWORD_{s}_{f.name}".upper() for s, cls in sections.items() for f in fields(cls)}
    for name in env:
        if name.startswith("NETSWORD_") and not name.startswith(("NETSWORD_TEST_", "NETSWORD_CONFIG")):
            if name not in valid:
                raise ConfigError(f"{name}: unknown setting in the environment")


def load_config(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    """Read the file (when given, or ./netsword.toml when present, or $NETSWORD_CONFIG) and the environment."""
    env = os.environ if env is None else env
    if path is None:
        path = env.get("NETSWORD_CONFIG") or ("netsword.toml" if Path("netsword.toml").exists() else None)
    data: dict[str, Any] = {}
    if path is not None:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{path}: no such configuration file") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    sections = _section_types()
    for name, table in data.items():
        if name not in sections:
            raise ConfigError(f"{name}: unknown section (known: {', '.join(sections)})")
        if not isinstance(table, dict):
            raise ConfigError(f"{name}: must be a table [{name}]")
    _check_env(env, sections)
    built = {name: _build_section(name, cls, data.get(name, {}), env) for name, cls in sections.items()}
    cfg = Config(**built, source=str(path or ""))
    _validate(cfg)
    return cfg


def _validate(cfg: Config) -> None:
    if cfg.smtp.security not in ("none", "starttls", "tls"):
        raise ConfigError(f"smtp.security: must be none, starttls or tls, got {cfg.smtp.security!r}")
    if not 0 <= cfg.matching.min_score <= 100:
        raise ConfigError(f"matching.min_score: must be 0–100, got {cfg.matching.min_score}")
    for proxy in cfg.triage.trusted_proxies:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            raise ConfigError(f"triage.trusted_proxies: not an address or network: {proxy!r}") from None
    if not 0 <= cfg.triage.min_password_score <= 4:
        raise ConfigError(f"triage.min_password_score: must be 0–4, got {cfg.triage.min_password_score}")
    for key, value in (("alerts.language", cfg.alerts.language), ("triage.language", cfg.triage.language)):
        if value not in ("zh", "en"):
            raise ConfigError(f"{key}: must be zh or en, got {value!r}")
    if cfg.crawler.max_page_bytes < 1024:
        raise ConfigError(f"crawler.max_page_bytes: must be ≥ 1024, got {cfg.crawler.max_page_bytes}")
    if cfg.crawler.page_timeout <= 0:
        raise ConfigError(f"crawler.page_timeout: must be more than 0, got {cfg.crawler.page_timeout}")
    url = cfg.store_url
    if not url.startswith(("sqlite:///", "http://", "https://")):
        raise ConfigError(f"store.url: must start with sqlite:/// or http(s)://, got {url!r}")
    if cfg.store.engine not in ("elasticsearch", "opensearch"):
        raise ConfigError(f"store.engine: must be elasticsearch or opensearch, got {cfg.store.engine!r}")
