"""Personal data at rest: HMAC-SHA256 keyed forms for matching and AES-GCM-encrypted raw values for `reveal`.

The key comes from `parcels.context.vault_of`: NETSWORD_PARCELS_PII_KEY, else `parcels-pii.key` in the key
directory (netsword.keys), never from var/, so a copy of the data is not a copy of its key. Losing the key makes
keyed forms unmatchable with new imports and raw values unrecoverable, so back it up, apart from the database.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


class PiiKeyError(RuntimeError):
    """The personal-data key is missing, unreadable or wrong for the stored data."""


def load_or_create_key(secret: str, key_file: Path) -> bytes:
    """The given secret, else the key file's content, else a new random key written with 0600 perms.

    A low-level helper for tools and tests; NetSword itself takes the key from netsword.keys (see vault_of).
    """
    if secret:
        return secret.encode("utf-8")
    try:
        return key_file.read_bytes().strip()
    except FileNotFoundError:
        pass
    key_file.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32).encode("ascii")
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: use theirs
        return key_file.read_bytes().strip()
    with os.fdopen(fd, "wb") as fh:
        fh.write(token)
    return token


class PiiVault:
    """Keys personal data for matching and encrypts it for the explicit reveal path."""

    def __init__(self, master_key: bytes) -> None:
        if len(master_key) < 16:
            raise PiiKeyError("the parcels personal-data key must be at least 16 characters")
        # separate sub-keys, so a keyed form can never be used to decrypt and vice versa
        hmac_key = hmac.new(master_key, b"netsword/parcels/hmac", hashlib.sha256).digest()
        self._hmac = hmac.new(hmac_key, digestmod=hashlib.sha256)  # copied per value: cheaper than re-keying
        self._aead = AESGCM(hmac.new(master_key, b"netsword/parcels/aes-gcm", hashlib.sha256).digest())

    def keyed(self, kind: str, normalized: str) -> str:
        """A stable keyed digest of a normalised value ('' for ''); equal values give equal keys."""
        if not normalized:
            return ""
        mac = self._hmac.copy()
        mac.update(f"{kind}\x1f{normalized}".encode())
        return mac.hexdigest()[:32]

    def digest(self, data: bytes) -> str:
        """A keyed digest of arbitrary bytes (content hashes that must not be reversible by guessing)."""
        mac = self._hmac.copy()
        mac.update(data)
        return mac.hexdigest()[:32]

    def encrypt(self, values: dict[str, Any]) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        plain = json.dumps(values, ensure_ascii=False, sort_keys=True).encode("utf-8")
        return nonce + self._aead.encrypt(nonce, plain, b"netsword-parcel-pii")

    def decrypt(self, token: bytes) -> dict[str, Any]:
        try:
            plain = self._aead.decrypt(token[:NONCE_BYTES], token[NONCE_BYTES:], b"netsword-parcel-pii")
            data = json.loads(plain.decode("utf-8"))
        except (InvalidTag, ValueError):
            raise PiiKeyError(
                "cannot decrypt parcel personal data: the key differs from the one used on import"
            ) from None
        return data if isinstance(data, dict) else {}
