"""The evidence key can come from the environment like every other key (NETSWORD_KEYS_EVIDENCE), never a file then."""

from __future__ import annotations

from pathlib import Path

from evidence import EvidenceStore
from netsword.config import load_config


def test_the_evidence_key_from_the_environment(tmp_path: Path) -> None:
    env = {"NETSWORD_PATHS_VAR_DIR": str(tmp_path / "var"), "NETSWORD_KEYS_DIR": str(tmp_path / "keys"),
           "NETSWORD_KEYS_EVIDENCE": "an-evidence-key-from-a-secrets-manager"}  # fmt: skip
    cfg = load_config(None, env=env)
    store = EvidenceStore.for_config(cfg)
    page = store.put_bytes(b"<html>x</html>", role="page", media_type="text/html")
    store.record(platform="taobao", listing_id="k1", url="https://taobao.example.com/item/k1", profile="html",
                 files=[page])  # fmt: skip
    assert not (tmp_path / "keys" / "evidence.key").exists()
    assert EvidenceStore.for_config(cfg).verify().sealed
    other = load_config(None, env={**env, "NETSWORD_KEYS_EVIDENCE": "another-key-entirely-0123456789"})
    assert any("seal" in p for p in EvidenceStore.for_config(other).verify().problems)
