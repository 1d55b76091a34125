"""The evidence store: files kept by SHA-256 under `objects/`, one JSON manifest per capture under `captures/`.

Layout under the root (`paths.evidence_dir`, default `var/evidence/`):
  objects/ab/abcdef…            the bytes of each file, named by their SHA-256 (written once, never changed)
  captures/<capture_id>.json    what was captured: the URL fetched, the redirect chain and final URL, status, when the
                                request started and ended (UTC), what kind of answer carried the listing (a web page,
                                an API response, a feed export, or the listing's own page fetched for evidence),
                                profile, allow-listed request and response headers (evidence.headers), files (the
                                WARC records of the exchanges among them, evidence.warc) and hashes, what is missing
  by-listing/<platform>/<listing id hash>.jsonl   capture ids per listing, newest last
  ledger.db                     each capture's manifest hash (sealed with the evidence key) recorded before its
                                files are written, and why a listing has no capture (evidence.ledger)
A capture is all or nothing: when a write fails (full disk, no permission) what it wrote is removed and
EvidenceWriteError says why in one line; a capture whose process died is finished or cleaned up by `recover()`.
`verify()` checks hashes, manifests against the ledger and stray files (evidence.verify).
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evidence.faults import before_write
from evidence.headers import REQUEST_HEADERS, RESPONSE_HEADERS, kept_headers
from evidence.ledger import ABANDONED, KEY_NAME, WRITTEN, Ledger, NoCapture
from netsword.models import utc_now

if TYPE_CHECKING:
    from evidence.verify import VerifyReport
    from netsword.config import Config


@dataclass(frozen=True)
class EvidenceFile:
    role: str  # page | screenshot | response | other
    sha256: str
    size: int
    media_type: str
    url: str = ""  # the URL these bytes came from, after redirects ("" when not known)


@dataclass(frozen=True)
class Hop:
    """One redirect on the way to the final URL: the URL asked for and how it answered (301, 302 … or the text
    "meta refresh")."""

    url: str
    status: int | str


@dataclass(frozen=True)
class Fetch:
    """One fetch as it happened: the URL asked for, the redirects, the final URL and status, start and end (UTC)."""

    url: str
    final_url: str = ""
    status: int | None = None
    redirects: tuple[Hop, ...] = ()
    started_at: str = ""
    ended_at: str = ""

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["redirects"] = [asdict(h) for h in self.redirects]
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Fetch:
        return cls(
            url=str(data.get("url", "")),
            final_url=str(data.get("final_url", "")),
            status=data.get("status"),
            redirects=hops_from(data.get("redirects")),
            started_at=str(data.get("started_at", "")),
            ended_at=str(data.get("ended_at", "")),
        )


def hops_from(data: Any) -> tuple[Hop, ...]:
    return tuple(Hop(str(h.get("url", "")), h.get("status", "")) for h in data or () if isinstance(h, Mapping))


# What answer carried a capture's listing (Capture.kind)
KIND_PAGE = "page"  # a web page of the platform (search results or the listing's detail page)
KIND_API = "api"  # a response of the platform's API
KIND_FEED = "feed"  # an export file (JSONL, CSV) listing many listings
KIND_LISTING_PAGE = "listing-page"  # the listing's own web page, fetched only to keep it as evidence
KIND_MANUAL = "manual"  # a URL an operator asked for (netsword evidence capture)


@dataclass(frozen=True)
class Blob:
    """Bytes to keep in a capture: `EvidenceStore.add` writes them only once the ledger knows the capture."""

    role: str
    data: bytes
    media_type: str
    url: str = ""


@dataclass(frozen=True)
class Capture:
    capture_id: str
    platform: str
    listing_id: str
    url: str
    captured_at: str
    profile: str
    request_headers: Mapping[str, str] = field(default_factory=dict)
    files: tuple[EvidenceFile, ...] = ()
    status: int | None = None
    final_url: str = ""  # where the response came from after redirects ("" when the caller did not know it)
    response_headers: Mapping[str, str] = field(default_factory=dict)
    withheld_headers: tuple[str, ...] = ()  # names of request headers sent but not recorded (credentials, unknown)
    missing: tuple[str, ...] = ()  # what this capture lacks and why, e.g. "screenshot: no Chromium"
    kind: str = KIND_PAGE  # what answer carried the listing: KIND_PAGE, KIND_API, KIND_FEED, KIND_LISTING_PAGE …
    listing_url: str = ""  # the listing's own URL as the platform names it (fetched only when it is `url`)
    redirects: tuple[Hop, ...] = ()  # from `url` to `final_url`, in order
    started_at: str = ""  # when the request for `url` was sent (UTC, milliseconds; "" when not known)
    ended_at: str = ""  # when the last byte of the final response was received
    screenshot_fetch: Fetch | None = None  # the browser's own fetch of the page it screenshotted, when another
    related: tuple[str, ...] = ()  # ids of captures taken with this one (its listing's page, kept separately)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["files"] = [asdict(f) for f in self.files]
        out["redirects"] = [asdict(h) for h in self.redirects]
        out["related"] = list(self.related)
        if self.screenshot_fetch is None:
            del out["screenshot_fetch"]
        else:
            out["screenshot_fetch"] = self.screenshot_fetch.to_dict()
        out["request_headers"] = dict(self.request_headers)
        out["response_headers"] = dict(self.response_headers)
        out["withheld_headers"] = list(self.withheld_headers)
        out["missing"] = list(self.missing)
        if not self.missing:
            del out["missing"]  # manifests written before the field existed read the same
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Capture:
        return cls(
            capture_id=data["capture_id"],
            platform=data["platform"],
            listing_id=data["listing_id"],
            url=data["url"],
            captured_at=data["captured_at"],
            profile=data.get("profile", ""),
            request_headers=dict(data.get("request_headers") or {}),
            files=tuple(EvidenceFile(**f) for f in data.get("files", [])),
            status=data.get("status"),
            final_url=data.get("final_url", ""),
            response_headers=dict(data.get("response_headers") or {}),
            withheld_headers=tuple(data.get("withheld_headers") or ()),
            missing=tuple(data.get("missing") or ()),
            kind=str(data.get("kind") or KIND_PAGE),
            listing_url=str(data.get("listing_url", "")),
            redirects=hops_from(data.get("redirects")),
            started_at=str(data.get("started_at", "")),
            ended_at=str(data.get("ended_at", "")),
            screenshot_fetch=Fetch.from_dict(data["screenshot_fetch"]) if data.get("screenshot_fetch") else None,
            related=tuple(str(r) for r in data.get("related") or ()),
        )

    def file(self, role: str) -> EvidenceFile | None:
        return next((f for f in self.files if f.role == role), None)


class EvidenceWriteError(RuntimeError):
    """A capture could not be kept; nothing of it stays behind. `reason` is one line ("disk full: …")."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def write_failure(exc: BaseException) -> str:
    """One line naming what went wrong with a write, for logs and no-capture records."""
    code = getattr(exc, "errno", None)
    if code in (errno.ENOSPC, errno.EDQUOT) or "disk is full" in str(exc):
        what = "disk full"
    elif code in (errno.EACCES, errno.EPERM):
        what = "permission denied"
    elif code == errno.EROFS:
        what = "read-only file system"
    else:
        what = "cannot write"
    where = getattr(exc, "filename", None)
    detail = getattr(exc, "strerror", None) or str(exc)
    return f"{what}: {detail}" + (f" ({where})" if where else "")


def _atomic_write(path: Path, data: bytes) -> None:
    before_write(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _listing_key(listing_id: str) -> str:
    return hashlib.sha256(listing_id.encode()).hexdigest()[:24]


def utc_stamp(seconds: float) -> str:
    """A time.time() value as ISO 8601 UTC to the millisecond, with a trailing Z (fetch start and end)."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class EvidenceStore:
    """Content-addressed evidence files and capture manifests under one directory, and their ledger.

    `key`: the evidence key that seals the ledger (`for_config` loads it); None seals nothing (tests, tools).
    """

    def __init__(self, root: str | Path, key: bytes | None = None) -> None:
        self.root = Path(root)
        self.ledger = Ledger(self.root, key)

    @classmethod
    def for_config(cls, cfg: Config, *, create_key: bool = True) -> EvidenceStore:
        """The store under `paths.evidence_dir` with the evidence key (netsword.keys, made on first use when
        `create_key`; otherwise None when there is none yet). Raises netsword.keys.KeyStoreError."""
        from netsword.keys import KeyRing

        ring = KeyRing(cfg)
        key = ring.load(KEY_NAME, create=True) if create_key or ring.has(KEY_NAME) else None
        return cls(cfg.evidence_dir, key=key)

    def close(self) -> None:
        self.ledger.close()

    def path_of(self, sha256: str) -> Path:
        return self.root / "objects" / sha256[:2] / sha256

    def manifest_path(self, capture_id: str) -> Path:
        return self.root / "captures" / f"{capture_id}.json"

    def put_bytes(self, data: bytes, *, role: str, media_type: str, url: str = "") -> EvidenceFile:
        """Keep `data` (once per content) now; `url` is where it came from after redirects. Prefer `add`, which
        writes nothing before the ledger knows the capture."""
        digest = sha256_of(data)
        path = self.path_of(digest)
        if not path.exists():
            _atomic_write(path, data)
        return EvidenceFile(role=role, sha256=digest, size=len(data), media_type=media_type, url=url)

    def add(self, *, blobs: Iterable[Blob], **details: Any) -> Capture:
        """Write a capture: its files and manifest (see `record` for the details). Raises EvidenceWriteError."""
        data: dict[str, bytes] = {}
        files = []
        for blob in blobs:
            digest = sha256_of(blob.data)
            data[digest] = blob.data
            files.append(EvidenceFile(blob.role, digest, len(blob.data), blob.media_type, blob.url))
        return self.record(files=files, _data=data, **details)

    def record(
        self,
        *,
        platform: str,
        listing_id: str,
        url: str,
        profile: str,
        files: list[EvidenceFile],
        request_headers: Mapping[str, str] | None = None,
        status: int | None = None,
        captured_at: str = "",
        final_url: str = "",
        response_headers: Mapping[str, str] | None = None,
        secrets: Iterable[str] = (),
        missing: Iterable[str] = (),
        origin: str = "crawl",
        kind: str = KIND_PAGE,
        listing_url: str = "",
        redirects: Iterable[Hop] = (),
        started_at: str = "",
        ended_at: str = "",
        screenshot_fetch: Fetch | None = None,
        related: Iterable[str] = (),
        _data: Mapping[str, bytes] | None = None,
    ) -> Capture:
        """Write a capture manifest (and the files of `_data` not kept yet); returns the capture.

        Only allow-listed headers are kept, and none whose value holds one of `secrets` (evidence.headers). The ledger
        records the capture first; a failed write removes what it wrote and raises EvidenceWriteError.
        """
        captured_at = captured_at or utc_now()
        hidden = list(secrets)
        sent, withheld = kept_headers(request_headers or {}, allowed=REQUEST_HEADERS, secrets=hidden)
        received, _ = kept_headers(response_headers or {}, allowed=RESPONSE_HEADERS, secrets=hidden)
        basis = f"{platform}\x1f{listing_id}\x1f{captured_at}\x1f{_nonce()}\x1f" + ",".join(f.sha256 for f in files)
        capture = Capture(
            capture_id="cap-" + hashlib.sha256(basis.encode()).hexdigest()[:20],
            platform=platform,
            listing_id=listing_id,
            url=url,
            captured_at=captured_at,
            profile=profile,
            request_headers=sent,
            files=tuple(files),
            status=status,
            final_url=final_url,
            response_headers=received,
            withheld_headers=tuple(withheld),
            missing=tuple(missing),
            kind=kind,
            listing_url=listing_url,
            redirects=tuple(redirects),
            started_at=started_at,
            ended_at=ended_at,
            screenshot_fetch=screenshot_fetch,
            related=tuple(related),
        )
        manifest = json.dumps(capture.to_dict(), ensure_ascii=False, indent=2, sort_keys=True).encode()
        self._commit(capture, manifest, dict(_data or {}), origin)
        return capture

    def _commit(self, capture: Capture, manifest: bytes, data: dict[str, bytes], origin: str) -> None:
        cid = capture.capture_id
        try:
            fresh = self.ledger.begin(cid, capture.platform, capture.listing_id, origin, sha256_of(manifest),
                                      [f.sha256 for f in capture.files])  # fmt: skip
        except (OSError, sqlite3.Error) as exc:
            raise EvidenceWriteError(write_failure(exc)) from exc
        if not fresh:  # the id holds a random part: never in practice, and never overwritten if it happens
            raise EvidenceWriteError(f"capture {cid} is in the ledger already")
        created: set[str] = set()
        try:
            for digest, blob in data.items():
                path = self.path_of(digest)
                if not path.exists():
                    _atomic_write(path, blob)
                    created.add(digest)
            _atomic_write(self.manifest_path(cid), manifest)
            self.index(capture)
        except OSError as exc:
            reason = write_failure(exc)
            self._abandon(cid, created, note=reason)
            raise EvidenceWriteError(reason) from exc
        try:
            self.ledger.end(cid, WRITTEN)
        except (OSError, sqlite3.Error):
            pass  # the manifest is whole and matches its pending row; verify accepts it and recover() marks it

    def index(self, capture: Capture) -> None:
        """Add the capture to its listing's index (by-listing/)."""
        index = self.root / "by-listing" / _safe(capture.platform) / f"{_listing_key(capture.listing_id)}.jsonl"
        before_write(index)
        index.parent.mkdir(parents=True, exist_ok=True)
        with open(index, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"capture_id": capture.capture_id, "listing_id": capture.listing_id}) + "\n")

    def _abandon(self, capture_id: str, created: set[str], *, note: str) -> None:
        """Remove what a failed capture wrote (its manifest, the files it created that no other capture names)."""
        try:
            self.manifest_path(capture_id).unlink(missing_ok=True)
            self.ledger.release_files(capture_id, lambda sha: sha in created and unlink_file(self.path_of(sha)))
            self.ledger.end(capture_id, ABANDONED, note=note)
        except (OSError, sqlite3.Error):
            pass  # left pending: recover() finishes the job once the disk can be written again

    def get(self, capture_id: str) -> Capture | None:
        if not capture_id.replace("-", "").isalnum():
            return None
        path = self.manifest_path(capture_id)
        if not path.exists():
            return None
        return Capture.from_dict(json.loads(path.read_text(encoding="utf-8")))

    def _indexed(self, platform: str, listing_id: str) -> list[str]:
        """Capture ids the listing's index names, oldest first, each once."""
        index = self.root / "by-listing" / _safe(platform) / f"{_listing_key(listing_id)}.jsonl"
        if not index.exists():
            return []
        ids = []
        for line in index.read_text(encoding="utf-8").splitlines():
            try:
                ids.append(str(json.loads(line)["capture_id"]))
            except (ValueError, KeyError, TypeError):
                continue  # a line cut short by a full disk
        return list(dict.fromkeys(ids))

    def captures_for(self, platform: str, listing_id: str) -> list[Capture]:
        """Captures of one listing, newest first."""
        captures = [c for c in (self.get(i) for i in self._indexed(platform, listing_id)) if c is not None]
        return sorted(captures, key=lambda c: c.captured_at, reverse=True)

    def has_capture(self, platform: str, listing_id: str) -> bool:
        """True when the listing's index names a capture whose manifest is there (nothing is parsed)."""
        ids = self._indexed(platform, listing_id)
        return any(i.replace("-", "").isalnum() and self.manifest_path(i).exists() for i in ids)

    def read(self, sha256: str) -> bytes:
        return self.path_of(sha256).read_bytes()

    def iter_captures(self) -> Iterator[Capture]:
        for path in sorted((self.root / "captures").glob("*.json")):
            yield Capture.from_dict(json.loads(path.read_text(encoding="utf-8")))

    # --- why a listing has no capture -----------------------------------------------------------------------------

    def no_capture(self, platform: str, listing_id: str, lead_ids: Iterable[str], reason: str, *,
                   final: bool = False) -> NoCapture:  # fmt: skip
        """Record why a listing's leads have no capture; `final`: do not try again (robots.txt, no profile, gone).
        Raises EvidenceWriteError when even that cannot be written."""
        try:
            return self.ledger.add_no_capture(platform, listing_id, lead_ids, reason, final=final)
        except (OSError, sqlite3.Error) as exc:
            raise EvidenceWriteError(write_failure(exc)) from exc

    def reason_for(self, platform: str, listing_id: str) -> NoCapture | None:
        """The newest recorded reason why the listing has no capture (meaningless once it has one)."""
        return self.ledger.latest_no_capture(platform, listing_id)

    # --- upkeep (evidence.upkeep) ---------------------------------------------------------------------------------

    def recover(self) -> tuple[int, int]:
        """Finish or clean up captures whose process died while writing them; (completed, cleaned up)."""
        from evidence.upkeep import recover

        return recover(self)

    def remove(self, captures: Iterable[Capture], reason: str) -> tuple[int, int]:
        """Retention: remove captures and the files no other capture names; (captures, files) removed."""
        from evidence.upkeep import remove

        return remove(self, captures, reason)

    def readable_captures(self) -> Iterator[Capture]:
        """Every manifest that can be read (a damaged one is left to verify to report)."""
        for path in sorted((self.root / "captures").glob("*.json")):
            try:
                yield Capture.from_dict(json.loads(path.read_bytes()))
            except (OSError, ValueError, KeyError, TypeError):
                continue

    def verify(self) -> VerifyReport:
        """Hashes of every file, each manifest against the ledger, stray files (evidence.verify.verify_store)."""
        from evidence.verify import verify_store

        return verify_store(self)


def _nonce() -> str:
    return os.urandom(4).hex()  # two captures of one listing in the same second are still two


def unlink_file(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name) or "_"
