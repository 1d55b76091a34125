"""A time-stamping authority of our own for tests: a CA and a TSA certificate (critical EKU id-kp-timeStamping)
made with `cryptography`, and an RFC 3161 responder over HTTP on 127.0.0.1 that answers each TimeStampReq with a
real DER TimeStampResp: a TSTInfo over the request's imprint and nonce, in CMS SignedData signed (ECDSA P-256,
SHA-256) with signed attributes content-type, message-digest and signing-certificate-v2 (built with asn1crypto)."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from asn1crypto import cms, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

POLICY = "1.3.6.1.4.1.57264.2"  # any policy OID: ours is not a public TSA


@dataclass
class Pki:
    ca: x509.Certificate
    ca_key: ec.EllipticCurvePrivateKey
    tsa: x509.Certificate
    tsa_key: ec.EllipticCurvePrivateKey

    def write_root(self, path: Path) -> Path:
        path.write_bytes(self.ca.public_bytes(serialization.Encoding.PEM))
        return path


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "NetSword tests"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])  # fmt: skip


def make_pki(label: str, *, not_before: datetime | None = None, days: int = 365) -> Pki:
    """A CA and a TSA certificate it issued, valid from `not_before` (default: a day ago) for `days`."""
    start = not_before or datetime.now(UTC) - timedelta(days=1)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder().subject_name(_name(f"{label} CA")).issuer_name(_name(f"{label} CA"))
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(start).not_valid_after(start + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                     crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    tsa_key = ec.generate_private_key(ec.SECP256R1())
    tsa = (
        x509.CertificateBuilder().subject_name(_name(f"{label} TSA")).issuer_name(ca.subject)
        .public_key(tsa_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(start).not_valid_after(start + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    return Pki(ca, ca_key, tsa, tsa_key)


def respond(request_der: bytes, pki: Pki, *, now: datetime | None = None) -> bytes:
    """The DER TimeStampResp granting a token for one DER TimeStampReq."""
    request = tsp.TimeStampReq.load(request_der)
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    info = {"version": "v1", "policy": POLICY, "message_imprint": request["message_imprint"],
            "serial_number": secrets.randbits(63), "gen_time": now, "accuracy": {"seconds": 1}}  # fmt: skip
    if request["nonce"].native is not None:
        info["nonce"] = request["nonce"].native
    tst_der = tsp.TSTInfo(info).dump()
    cert_der = pki.tsa.public_bytes(serialization.Encoding.DER)
    cert = asn1_x509.Certificate.load(cert_der)
    ess = tsp.SigningCertificateV2({"certs": [tsp.ESSCertIDv2({
        "cert_hash": hashlib.sha256(cert_der).digest(),
        "issuer_serial": {"issuer": [asn1_x509.GeneralName({"directory_name": cert.issuer})],
                          "serial_number": cert.serial_number},
    })]})  # fmt: skip
    attrs = cms.CMSAttributes([
        cms.CMSAttribute({"type": "content_type", "values": ["tst_info"]}),
        cms.CMSAttribute({"type": "message_digest", "values": [hashlib.sha256(tst_der).digest()]}),
        cms.CMSAttribute({"type": "signing_certificate_v2", "values": [ess]}),
    ])  # fmt: skip
    signature = pki.tsa_key.sign(attrs.dump(), ec.ECDSA(hashes.SHA256()))
    signer = cms.SignerInfo({
        "version": "v1",
        "sid": cms.SignerIdentifier({"issuer_and_serial_number": cms.IssuerAndSerialNumber(
            {"issuer": cert.issuer, "serial_number": cert.serial_number})}),
        "digest_algorithm": {"algorithm": "sha256"},
        "signed_attrs": attrs,
        "signature_algorithm": {"algorithm": "sha256_ecdsa"},
        "signature": signature,
    })  # fmt: skip
    signed = cms.SignedData({
        "version": "v3",
        "digest_algorithms": [{"algorithm": "sha256"}],
        "encap_content_info": {"content_type": "tst_info", "content": cms.ParsableOctetString(tst_der)},
        "certificates": [cms.CertificateChoices({"certificate": cert})],
        "signer_infos": [signer],
    })  # fmt: skip
    token = cms.ContentInfo({"content_type": "signed_data", "content": signed})
    return tsp.TimeStampResp({"status": {"status": "granted"}, "time_stamp_token": token}).dump()


class TsaServer:
    """An RFC 3161 responder over HTTP on 127.0.0.1 (`port` 0: any free one); `requests` counts the POSTs."""

    def __init__(self, pki: Pki, port: int = 0, *, basic_auth: tuple[str, str] | None = None) -> None:
        self.pki = pki
        self.requests = 0
        wanted = "Basic " + base64.b64encode(":".join(basic_auth).encode()).decode() if basic_auth else None
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                outer.requests += 1
                size = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(min(size, 64 * 1024))
                if wanted is not None and self.headers.get("Authorization") != wanted:
                    self.send_error(401)
                    return
                if self.headers.get("Content-Type") != "application/timestamp-query":
                    self.send_error(415)
                    return
                reply = respond(body, outer.pki)
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args: object) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/tsr"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
