"""WACZ packages of captures (one lead's, one case's) for replay tools such as ReplayWeb.page, made with Webrecorder's
`wacz` package (the WACZ 1.1.1 layout: archive/*.warc.gz, indexes/index.cdx.gz + index.idx, pages/pages.jsonl,
datapackage.json with each file's SHA-256, datapackage-digest.json).

The archive holds each capture's own WARC (evidence.warc: the real exchanges, credentials left out) exactly as the
evidence store keeps it, so its SHA-256 is still the one in the capture's manifest, and one more WARC,
`netsword-evidence.warc.gz`, of `resource` records: each capture's manifest as written (urn:netsword:manifest:<id>)
and its screenshot (urn:view:<url>, as Webrecorder's crawlers name page screenshots). The pages list names the page
each capture kept (its final URL), titled with the kind of capture and the listing.
"""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from warcio.warcwriter import WARCWriter

from evidence.store import Capture, EvidenceStore
from evidence.warc import ROLE as WARC_ROLE

EVIDENCE_WARC = "netsword-evidence.warc.gz"
KIND_TITLES = {"page": "web page", "api": "API response", "feed": "feed export", "listing-page": "listing page",
               "manual": "page captured on request"}  # fmt: skip


class PackageError(RuntimeError):
    """A package could not be written; the message is one line."""


@dataclass(frozen=True)
class Package:
    path: Path
    captures: int  # captures packaged
    warcs: int  # WARC files in archive/ (the captures' own, and the evidence WARC)
    without_warc: tuple[str, ...]  # captures kept before WARC records were written (their files are in the
    # evidence WARC, their exchanges are not)


def write_wacz(
    store: EvidenceStore, captures: Sequence[Capture], out: Path, *, title: str, description: str
) -> Package:
    """Write `captures` as a WACZ at `out` (replaced when it exists). Raises PackageError."""
    from wacz.main import main as wacz_main

    if not captures:
        raise PackageError("no captures to package")
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="netsword-wacz-") as tmp:
        work = Path(tmp)
        warcs: list[Path] = []
        seen: set[str] = set()
        without: list[str] = []
        try:
            for capture in captures:
                warc = capture.file(WARC_ROLE)
                if warc is None:
                    without.append(capture.capture_id)
                    continue
                if warc.sha256 in seen:  # a feed's one WARC, shared by the listings it carried
                    continue
                seen.add(warc.sha256)
                path = work / f"{capture.capture_id}.warc.gz"
                path.write_bytes(store.read(warc.sha256))
                warcs.append(path)
            evidence = work / EVIDENCE_WARC
            evidence.write_bytes(_evidence_warc(store, captures))
            pages = work / "pages.jsonl"
            pages.write_text(_pages(captures), encoding="utf-8")
        except OSError as exc:
            raise PackageError(f"cannot read the evidence store: {exc}") from None
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(out.name + ".part")
        args = ["create", "-o", str(partial), "-p", str(pages), "--hash-type", "sha256", "--title", title,
                "--desc", description, *map(str, warcs), str(evidence)]  # fmt: skip
        said = io.StringIO()
        try:
            with contextlib.redirect_stdout(said):
                code = wacz_main(args)
        except Exception as exc:  # noqa: BLE001 - the wacz tool raises whatever its readers raise
            partial.unlink(missing_ok=True)
            raise PackageError(f"wacz create failed: {type(exc).__name__}: {exc}") from None
        if code != 0:
            partial.unlink(missing_ok=True)
            raise PackageError(f"wacz create failed: {said.getvalue().strip().splitlines()[-1:]}")
        partial.replace(out)
    return Package(out, len(captures), len(warcs) + 1, tuple(without))


def validate_wacz(path: Path) -> tuple[bool, str]:
    """(valid, what the `wacz validate` tool said) for the WACZ at `path`."""
    from wacz.main import main as wacz_main

    said = io.StringIO()
    with contextlib.redirect_stdout(said):
        code = wacz_main(["validate", "-f", str(path)])
    return code == 0, said.getvalue().strip()


def _evidence_warc(store: EvidenceStore, captures: Iterable[Capture]) -> bytes:
    """resource records: each capture's manifest (its bytes as kept) and screenshot."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True, warc_version="1.1")
    for capture in captures:
        date = _warc_date(capture)
        manifest = store.manifest_path(capture.capture_id).read_bytes()
        writer.write_record(
            writer.create_warc_record(
                f"urn:netsword:manifest:{capture.capture_id}", "resource", payload=io.BytesIO(manifest),
                length=len(manifest), warc_content_type="application/json", warc_headers_dict={"WARC-Date": date},
            )
        )  # fmt: skip
        shot = capture.file("screenshot")
        if shot is not None:
            png = store.read(shot.sha256)
            writer.write_record(
                writer.create_warc_record(
                    f"urn:view:{shot.url or capture.final_url}", "resource", payload=io.BytesIO(png),
                    length=len(png), warc_content_type="image/png", warc_headers_dict={"WARC-Date": date},
                )
            )  # fmt: skip
    return out.getvalue()


def _warc_date(capture: Capture) -> str:
    return capture.started_at or capture.captured_at


def _pages(captures: Iterable[Capture]) -> str:
    lines = [json.dumps({"format": "json-pages-1.0", "id": "pages", "title": "NetSword captures"})]
    listed: set[str] = set()
    for capture in captures:
        url = capture.final_url or capture.url
        if not url or url in listed or capture.file(WARC_ROLE) is None:
            continue
        listed.add(url)
        kind = KIND_TITLES.get(capture.kind, capture.kind)
        title = f"{capture.platform} {capture.listing_id}: {kind} ({capture.capture_id})"
        lines.append(json.dumps({"url": url, "title": title}, ensure_ascii=False))
    return "\n".join(lines) + "\n"
