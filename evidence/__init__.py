"""Evidence: content-addressed files (page bodies, screenshots) with a manifest per capture, a sealed ledger of
what was written and why a listing has no capture, verification, and leads checked against captures."""

from evidence.store import Blob, Capture, EvidenceFile, EvidenceStore, EvidenceWriteError
from evidence.verify import VerifyReport

__all__ = ["Blob", "Capture", "EvidenceFile", "EvidenceStore", "EvidenceWriteError", "VerifyReport"]
