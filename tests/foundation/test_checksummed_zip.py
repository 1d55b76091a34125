"""netsword.checksummed_zip: the one writer of package ZIPs (case package, takedown notices, triage referral)."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest

from netsword.checksummed_zip import ZIP_TIME, checksummed_zip, sha256sums

FILES = {"notes/b.txt": b"second\n", "a.html": "<p>侵权</p>".encode(), "evidence/ld-1/cap-1-page.html.txt": b"x" * 5000}


def _entries(data: bytes) -> dict[str, zipfile.ZipInfo]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {info.filename: info for info in zf.infolist()}


def test_sha256sums_lists_each_members_hash_in_name_order() -> None:
    data = checksummed_zip("case-1", FILES)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        lines = zf.read("case-1/SHA256SUMS").decode().splitlines()
        assert [line.split("  ", 1)[1] for line in lines] == sorted(FILES)
        for line in lines:
            digest, name = line.split("  ", 1)
            assert (
                digest
                == hashlib.sha256(zf.read(f"case-1/{name}")).hexdigest()
                == hashlib.sha256(FILES[name]).hexdigest()
            )
    assert sha256sums(FILES) == ("\n".join(lines) + "\n").encode()


def test_entries_are_sorted_under_the_root_with_a_fixed_time_and_deflated() -> None:
    data = checksummed_zip("takedown", FILES)
    entries = _entries(data)
    assert list(entries) == [f"takedown/{n}" for n in sorted([*FILES, "SHA256SUMS"])]
    assert {info.date_time for info in entries.values()} == {ZIP_TIME}
    assert {info.compress_type for info in entries.values()} == {zipfile.ZIP_DEFLATED}


def test_the_same_files_give_the_same_bytes_whatever_their_order() -> None:
    reversed_files = dict(reversed(list(FILES.items())))
    assert checksummed_zip("r", FILES) == checksummed_zip("r", reversed_files)
    assert checksummed_zip("r", FILES) != checksummed_zip("r", {**FILES, "a.html": b"changed"})


def test_unlisted_files_are_packed_but_not_summed() -> None:
    data = checksummed_zip("ref-1", FILES, unlisted={"manifest.json": b"{}"})
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.read("ref-1/manifest.json") == b"{}"
        assert zf.read("ref-1/SHA256SUMS") == sha256sums(FILES)
    assert "ref-1/manifest.json" in _entries(data)


def test_a_given_sha256sums_is_refused() -> None:
    with pytest.raises(ValueError, match="SHA256SUMS"):
        checksummed_zip("x", {"SHA256SUMS": b"forged"})
