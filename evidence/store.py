"""The evidence store: files kept by SHA-256 under `objects/`, one JSON manifest per capture under `captures/`.

Layout under the root (`paths.evidence_dir`, default `var/evidence/`):
  objects/ab/abcdef…            the bytes of each file, named by their SHA-256 (written once, never changed)
  captures/<capture_id>.json    what was captured: URL, final URL after redirects, UTC time, profile, allow-listed
                                request and response headers (evidence.headers), files and hashes
  by-listing/<platform>/<listing id hash>.jsonl   capture ids per listing, newest last
`verify()` recomputes every hash and reports mismatches and missing files.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from evidence.headers import REQUEST_HEADERS, RESPONSE_HEADERS, kept_headers
from netsword.models import utc_now


@dataclass(frozen=True)
class EvidenceFile:
    role: str  # page | screenshot | response | other
    sha256: str
    size: int
    media_type: str
    url: str = ""  # the URL these bytes came from, after redirects ("" when not known)


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

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["files"] = [asdict(f) for f in self.files]
        out["request_headers"] = dict(self.request_headers)
        out["response_headers"] = dict(self.response_headers)
        out["withheld_headers"] = list(self.withheld_headers)
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
        )

    def file(self, role: str) -> EvidenceFile | None:
        return next((f for f in self.files if f.role == role), None)


@dataclass
class VerifyReport:
    captures: int = 0
    files: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _atomic_write(path: Path, data: bytes) -> None:
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


class EvidenceStore:
    """Content-addressed evidence files and capture manifests under one directory."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def path_of(self, sha256: str) -> Path:
        return self.root / "objects" / sha256[:2] / sha256

    def put_bytes(self, data: bytes, *, role: str, media_type: str, url: str = "") -> EvidenceFile:
        """Keep `data` (once per content); `url` is where it came from after redirects."""
        digest = hashlib.sha256(data).hexdigest()
        path = self.path_of(digest)
        if not path.exists():
            _atomic_write(path, data)
        return EvidenceFile(role=role, sha256=digest, size=len(data), media_type=media_type, url=url)

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
    ) -> Capture:
        """Write a capture manifest for files already put; returns the capture.

        Only allow-listed headers are kept, and none whose value holds one of `secrets` (evidence.headers).
        """
        captured_at = captured_at or utc_now()
        secrets = list(secrets)
        sent, withheld = kept_headers(request_headers or {}, allowed=REQUEST_HEADERS, secrets=secrets)
        received, _ = kept_headers(response_headers or {}, allowed=RESPONSE_HEADERS, secrets=secrets)
        basis = f"{platform}\x1f{listing_id}\x1f{captured_at}\x1f" + ",".join(f.sha256 for f in files)
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
        )
        manifest = json.dumps(capture.to_dict(), ensure_ascii=False, indent=2, sort_keys=True).encode()
        _atomic_write(self.root / "captures" / f"{capture.capture_id}.json", manifest)
        index = self.root / "by-listing" / _safe(platform) / f"{_listing_key(listing_id)}.jsonl"
        index.parent.mkdir(parents=True, exist_ok=True)
        with open(index, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"capture_id": capture.capture_id, "listing_id": listing_id}) + "\n")
        return capture

    def get(self, capture_id: str) -> Capture | None:
        if not capture_id.replace("-", "").isalnum():
            return None
        path = self.root / "captures" / f"{capture_id}.json"
        if not path.exists():
            return None
        return Capture.from_dict(json.loads(path.read_text(encoding="utf-8")))

    def captures_for(self, platform: str, listing_id: str) -> list[Capture]:
        """Captures of one listing, newest first."""
        index = self.root / "by-listing" / _safe(platform) / f"{_listing_key(listing_id)}.jsonl"
        if not index.exists():
            return []
        ids = [json.loads(line)["capture_id"] for line in index.read_text(encoding="utf-8").splitlines() if line]
        captures = [c for c in (self.get(i) for i in dict.fromkeys(ids)) if c is not None]
        return sorted(captures, key=lambda c: c.captured_at, reverse=True)

    def read(self, sha256: str) -> bytes:
        return self.path_of(sha256).read_bytes()

    def iter_captures(self) -> Iterator[Capture]:
        for path in sorted((self.root / "captures").glob("*.json")):
            yield Capture.from_dict(json.loads(path.read_text(encoding="utf-8")))

    def verify(self) -> VerifyReport:
        """Recompute the SHA-256 of every file every manifest names; list what is missing or altered."""
        report = VerifyReport()
        for capture in self.iter_captures():
            report.captures += 1
            for item in capture.files:
                report.files += 1
                path = self.path_of(item.sha256)
                if not path.exists():
                    report.problems.append(f"{capture.capture_id}: {item.role} {item.sha256}: missing")
                    continue
                actual = hashlib.sha256(path.read_bytes()).hexdigest()
                if actual != item.sha256:
                    report.problems.append(f"{capture.capture_id}: {item.role} {item.sha256}: hash is now {actual}")
        return report


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name) or "_"
