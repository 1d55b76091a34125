"""Evidence: content-addressed files (page bodies, screenshots) with a manifest per capture, and verification."""

from evidence.store import Capture, EvidenceFile, EvidenceStore, VerifyReport

__all__ = ["Capture", "EvidenceFile", "EvidenceStore", "VerifyReport"]
