"""Keys kept away from the data they protect: `load_key(cfg, name)` for the audit chain, parcel personal data, session
cookies and any other ledger (`load_key(cfg, "evidence", create=True)`).

A key comes from the environment (the secret setting that names it: `keys.<name>`, e.g. NETSWORD_KEYS_AUDIT; for
personal data NETSWORD_PARCELS_PII_KEY, for sessions NETSWORD_TRIAGE_SECRET_KEY) or from `<keys.dir>/<name>.key`
(0600 in a 0700 directory, default `~/.config/netsword/keys`). A key directory inside `paths.var_dir` is refused:
a copy or backup of var/ would hold both the data and its key. `KeySource` is what a KMS client would implement.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Protocol

from netsword.config import Config, ConfigError
from netsword.private_files import create_private_file, loose_mode

MIN_KEY_LENGTH = 16
AUDIT, PARCELS_PII, TRIAGE_SESSION, EVIDENCE = "audit", "parcels-pii", "triage-session", "evidence"
# keys older versions kept in var/, beside the data: found there, they stop the command with a hint to move them
LEGACY_FILES = {PARCELS_PII: "parcels.key", TRIAGE_SESSION: "triage-secret.key"}


class KeyStoreError(ConfigError):
    """A key is missing, misplaced, too short or readable by others; the message says which and what to do."""


class KeySource(Protocol):
    """Where keys live. The file source below is the default; a KMS or HSM client can stand in for it."""

    def where(self, name: str) -> str:
        """Where key `name` is looked for, for messages."""
        ...

    def get(self, name: str) -> bytes | None:
        """The key, or None when this source has none of that name."""
        ...

    def create(self, name: str) -> bytes:
        """Make and keep a new random key; a key made at the same moment by another process wins."""
        ...


class EnvKeySource:
    """Keys given as secret settings (from the environment only: config refuses secrets in files)."""

    def __init__(self, values: Mapping[str, str], names: Mapping[str, str]) -> None:
        self.values, self.names = values, names

    def where(self, name: str) -> str:
        return self.names.get(name, "the environment")

    def get(self, name: str) -> bytes | None:
        value = self.values.get(name, "")
        return value.encode("utf-8") if value else None

    def create(self, name: str) -> bytes:  # pragma: no cover - never the writable source
        raise KeyStoreError(f"{self.where(name)}: cannot create keys in the environment")


class FileKeySource:
    """`<directory>/<name>.key`, one random token per file, 0600 in a 0700 directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path(self, name: str) -> Path:
        return self.directory / f"{name}.key"

    def where(self, name: str) -> str:
        return str(self.path(name))

    def get(self, name: str) -> bytes | None:
        path = self.path(name)
        try:
            data = path.read_bytes().strip()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise KeyStoreError(f"{path}: cannot read the key: {exc.strerror or exc}") from None
        loose = loose_mode(path)
        if loose:
            raise KeyStoreError(f"{path}: {loose}; a key must be private: chmod 600 {path}")
        return data

    def create(self, name: str) -> bytes:
        token = secrets.token_urlsafe(32).encode("ascii")
        if not create_private_file(self.path(name), token + b"\n"):
            found = self.get(name)
            assert found is not None
            return found
        return token


def default_key_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "netsword" / "keys"


def key_dir(cfg: Config) -> Path:
    return Path(cfg.keys.dir).expanduser() if cfg.keys.dir else default_key_dir()


def inside(path: Path, directory: Path) -> bool:
    """True when `path` is `directory` or lies under it (symlinks resolved)."""
    return path.resolve().is_relative_to(directory.resolve())


def _env_source(cfg: Config) -> EnvKeySource:
    # every secret in [keys] names a key (keys.audit is the key "audit"); two keys kept their older settings
    values = {f.name.replace("_", "-"): getattr(cfg.keys, f.name) for f in fields(cfg.keys) if f.metadata.get("secret")}
    names = {name: f"NETSWORD_KEYS_{name.replace('-', '_').upper()}" for name in values}
    values.update({PARCELS_PII: cfg.parcels.pii_key, TRIAGE_SESSION: cfg.triage.secret_key})
    names.update({PARCELS_PII: "NETSWORD_PARCELS_PII_KEY", TRIAGE_SESSION: "NETSWORD_TRIAGE_SECRET_KEY"})
    return EnvKeySource(values, names)


class KeyRing:
    """Looks a key up in the environment first, then in the key directory (where new keys are made)."""

    def __init__(self, cfg: Config, files: KeySource | None = None) -> None:
        self.cfg = cfg
        self.env = _env_source(cfg)
        self.directory = key_dir(cfg)
        self.files: KeySource = files or FileKeySource(self.directory)

    def legacy_file(self, name: str) -> Path | None:
        """The copy of key `name` an older version left in var/, when it is there."""
        legacy = LEGACY_FILES.get(name)
        path = self.cfg.var_dir / legacy if legacy else None
        return path if path is not None and path.exists() else None

    def has(self, name: str) -> bool:
        return self.env.get(name) is not None or self._file_key(name) is not None

    def load(self, name: str, *, create: bool = False) -> bytes:
        """The key `name`; with `create`, a new one is made in the key directory when none exists yet."""
        key = self.env.get(name)
        if key is not None:
            return _long_enough(key, self.env.where(name))
        key = self._file_key(name)
        if key is None:
            if not create:
                raise KeyStoreError(
                    f"{self.files.where(name)}: no such key; restore it from your key backup, or set "
                    f"{self.env.where(name)}"
                )
            key = self.files.create(name)
        return _long_enough(key, self.files.where(name))

    def _file_key(self, name: str) -> bytes | None:
        if isinstance(self.files, FileKeySource) and inside(self.directory, self.cfg.var_dir):
            raise KeyStoreError(
                f"keys.dir: {self.directory} is inside paths.var_dir ({self.cfg.var_dir}); keep keys apart from the "
                "data, e.g. keys.dir = \"/etc/netsword/keys\""
            )
        legacy = self.legacy_file(name)
        if legacy is not None and name == PARCELS_PII:
            raise KeyStoreError(migration_hint(legacy, Path(self.files.where(name))))
        return self.files.get(name)


def migration_hint(legacy: Path, target: Path) -> str:
    """One line: where an old key lies and the command that moves it out of var/."""
    if target.exists():
        return f"{legacy}: an old copy of the key beside the data; {target} is in use: compare them, then rm {legacy}"
    return (
        f"{legacy}: the key must not live beside the data; move it: "
        f"mkdir -p -m 700 {target.parent} && mv {legacy} {target} && chmod 600 {target}"
    )


def _long_enough(key: bytes, where: str) -> bytes:
    if len(key) < MIN_KEY_LENGTH:
        raise KeyStoreError(f"{where}: a key must be at least {MIN_KEY_LENGTH} characters")
    return key


def load_key(cfg: Config, name: str, *, create: bool = False) -> bytes:
    """The key `name` from the environment or the key directory; see KeyRing.load."""
    return KeyRing(cfg).load(name, create=create)
