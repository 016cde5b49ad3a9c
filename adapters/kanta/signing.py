"""XML-DSig signatures of Kanta CDA documents: sign with a system certificate, verify on receipt.

What is produced (W3C XML Signature 1.1, not XAdES):

- an enveloped ``ds:Signature`` with one ``ds:Reference URI=""`` (the whole ``ClinicalDocument``),
  transforms enveloped-signature then exclusive c14n, SHA-256 digest, RSA-SHA256 signature,
  exclusive c14n of ``SignedInfo``, and the signer's certificate (then its chain) in
  ``KeyInfo/X509Data``;
- placed where the Finnish CDA extensions put signatures, in the local header:
  ``hl7fi:localSocialHeader/hl7fi:signatureCollection/hl7fi:signature/ds:Signature``, the
  ``hl7fi:signature`` also holding ``hl7fi:signatureDescription`` (signature type) and
  ``hl7fi:signatureTimestamp``. That layout follows a public Kanta health-record sample
  (``hl7fi:localHeader/hl7fi:signatureCollection``); its use under ``localSocialHeader`` and the
  signature type code are UNVERIFIED against the social-welfare specification.

Deliberate difference from that sample: the sample signs the body through an XPath transform
plus the timestamp by ID; here the reference is the whole document (header ids and client
included), which is what the archive simulator needs to detect tampering and what every
XML-DSig library verifies the same way. Consequence: a document carries exactly one signature
(a second one would change the signed content of the first).

Key sources: :class:`PemKeySource` reads a system certificate and its key from PEM files. A
professional's smart card would be another :class:`KeySource` whose ``private_key()`` returns
an object with cryptography's ``RSAPrivateKey.sign(data, padding, algorithm)`` that forwards
to the card over PKCS#11 (e.g. python-pkcs11); not implemented here.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from cryptography import x509
from cryptography.exceptions import InvalidSignature as CryptoInvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from cryptography.x509.verification import ExtensionPolicy, PolicyBuilder, Store, VerificationError
from lxml import etree
from signxml import (
    CanonicalizationMethod,
    DigestAlgorithm,
    SignatureConfiguration,
    SignatureMethod,
    XMLSigner,
    XMLVerifier,
)
from signxml.exceptions import InvalidCertificate, InvalidDigest, InvalidInput, SignXMLException

from plugin_host.xml_safety import XmlRejected, parse_untrusted_xml

CDA_NS = "urn:hl7-org:v3"
HL7FI_NS = "urn:hl7finland"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"

C14N = CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0
SIGNATURE_METHOD = SignatureMethod.RSA_SHA256
DIGEST_METHOD = DigestAlgorithm.SHA256
ENVELOPED_TRANSFORM = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"

# Signature type, code system "Sähköisen allekirjoituksen tyyppi" as seen in a public Kanta
# sample (code 4, system signature). UNVERIFIED for social-welfare documents.
SIGNATURE_TYPE_CODE_SYSTEM = "1.2.246.537.5.40127.2006"
SIGNATURE_TYPE_SYSTEM_CODE = "4"
SIGNATURE_TYPE_SYSTEM_NAME = "Järjestelmäallekirjoitus"


def _q(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


# Where the signature sits, from the root; also what verify() insists on (no signature wrapping).
SIGNATURE_PARENT_PATH = (
    f"./{_q(HL7FI_NS, 'localSocialHeader')}/{_q(HL7FI_NS, 'signatureCollection')}"
    f"/{_q(HL7FI_NS, 'signature')}/"
)


class KeySource(Protocol):
    """Where a signature's key and certificates come from."""

    def private_key(self) -> rsa.RSAPrivateKey:
        """The signing key (or an object that signs like one, e.g. a PKCS#11 card proxy)."""
        ...

    def certificate_chain(self) -> Sequence[x509.Certificate]:
        """The signer's certificate first, then any intermediates (not the root)."""
        ...


class PemKeySource:
    """A system certificate: an RSA private key and a certificate chain in PEM files."""

    def __init__(
        self, key_path: str | Path, cert_path: str | Path, password: bytes | None = None
    ) -> None:
        # Loaded once, here: a wrong path or password should fail at start-up, not mid-send.
        key = serialization.load_pem_private_key(Path(key_path).read_bytes(), password=password)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError("the signing key must be an RSA key (RSA-SHA256 signatures)")
        chain = x509.load_pem_x509_certificates(Path(cert_path).read_bytes())
        if chain[0].public_key().public_numbers() != key.public_key().public_numbers():
            raise ValueError("the first certificate does not belong to the private key")
        self._key = key
        self._chain = tuple(chain)

    def private_key(self) -> rsa.RSAPrivateKey:
        return self._key

    def certificate_chain(self) -> Sequence[x509.Certificate]:
        return self._chain


class SigningError(ValueError):
    """The document cannot be signed as given (not a CDA document, already signed)."""


class Reason(StrEnum):
    """Why a signature was refused; stable values for callers and error messages."""

    MALFORMED = "malformed"  # not XML, not a CDA document, or a broken ds:Signature
    MISSING = "missing"  # no ds:Signature at all
    MISPLACED = "misplaced"  # more than one, or not where the local header puts it
    ALGORITHM = "algorithm"  # not exc-c14n / RSA-SHA256 / SHA-256 / whole-document reference
    UNTRUSTED_CERTIFICATE = "untrusted_certificate"
    CERTIFICATE_NOT_VALID = "certificate_not_valid"  # outside its validity period
    TAMPERED = "tampered"  # the signed content changed after signing (digest mismatch)
    BAD_SIGNATURE = "bad_signature"  # SignedInfo changed or signed by another key


class SignatureInvalid(Exception):
    """A signature that does not hold; ``reason`` says which check failed. Never echoes content."""

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(f"{reason.value}: {message}")
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class VerifiedDocument:
    """What a valid signature covers.

    ``document`` is the signed content as signed (parsed from its canonical form, without the
    ds:Signature): read ids and data from here, never from the unverified input.
    """

    document: etree._Element
    certificate: x509.Certificate
    signed_at: dt.datetime | None


def sign(
    document: etree._Element, keys: KeySource, *, signed_at: dt.datetime | None = None
) -> etree._Element:
    """Return a signed copy of the CDA ``document`` (the input is not changed).

    Serialise the result once and send those bytes: re-indenting or re-encoding after signing
    may break the digest.
    """
    if etree.QName(document).text != _q(CDA_NS, "ClinicalDocument"):
        raise SigningError("only a CDA ClinicalDocument (urn:hl7-org:v3) is signed here")
    if document.find(f".//{_q(DS_NS, 'Signature')}") is not None:
        raise SigningError("the document is already signed")
    moment = signed_at or dt.datetime.now(dt.UTC)
    if moment.tzinfo is None:
        raise SigningError("signed_at must be timezone-aware")
    root = copy.deepcopy(document)
    _signature_slot(root, moment)
    chain = list(keys.certificate_chain())
    if not chain:
        raise SigningError("the key source has no certificate")
    signer = XMLSigner(
        signature_algorithm=SIGNATURE_METHOD, digest_algorithm=DIGEST_METHOD, c14n_algorithm=C14N
    )
    # signxml replaces the placeholder with the signature and excludes it from the digest.
    return signer.sign(root, key=keys.private_key(), cert=chain)


def _signature_slot(root: etree._Element, moment: dt.datetime) -> None:
    """Add hl7fi:signature (description, timestamp, ds:Signature placeholder) to the header."""
    header = root.find(_q(HL7FI_NS, "localSocialHeader"))
    if header is None:
        header = etree.Element(_q(HL7FI_NS, "localSocialHeader"), nsmap={"hl7fi": HL7FI_NS})
        # CDA extensions sit after the standard header and before the body.
        body = root.find(_q(CDA_NS, "component"))
        if body is not None:
            body.addprevious(header)
        else:
            root.append(header)
    collection = header.find(_q(HL7FI_NS, "signatureCollection"))
    if collection is None:
        collection = etree.SubElement(header, _q(HL7FI_NS, "signatureCollection"))
    wrapper = etree.SubElement(collection, _q(HL7FI_NS, "signature"), ID=f"sig-{uuid.uuid4().hex}")
    etree.SubElement(
        wrapper,
        _q(HL7FI_NS, "signatureDescription"),
        code=SIGNATURE_TYPE_SYSTEM_CODE,
        codeSystem=SIGNATURE_TYPE_CODE_SYSTEM,
        displayName=SIGNATURE_TYPE_SYSTEM_NAME,
    )
    stamp = etree.SubElement(
        wrapper, _q(HL7FI_NS, "signatureTimestamp"), ID=f"ts-{uuid.uuid4().hex}"
    )
    stamp.text = moment.isoformat(timespec="seconds")
    etree.SubElement(wrapper, _q(DS_NS, "Signature"), Id="placeholder", nsmap={"ds": DS_NS})


def verify(
    data: bytes,
    trusted_certs: Iterable[x509.Certificate],
    *,
    at: dt.datetime | None = None,
) -> VerifiedDocument:
    """Check the signature of a signed CDA document; raise :class:`SignatureInvalid` if it fails.

    ``trusted_certs`` are trust anchors: the signer's own certificate (pinned) or a CA that
    issued it (checked as a chain, with the intermediates from KeyInfo). ``at`` is the moment
    the certificate must be valid at (default: now).
    """
    moment = at or dt.datetime.now(dt.UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)  # a naive time is taken to be UTC
    try:
        root = parse_untrusted_xml(data)
    except XmlRejected as exc:
        raise SignatureInvalid(Reason.MALFORMED, f"not acceptable XML ({exc.kind})") from None
    signature = _the_signature(root)
    _check_algorithms(signature)
    chain = _key_info_certificates(signature)
    _check_trust(chain, list(trusted_certs), moment)
    config = SignatureConfiguration(
        location=SIGNATURE_PARENT_PATH,
        expect_references=1,
        signature_methods=frozenset({SIGNATURE_METHOD}),
        digest_algorithms=frozenset({DIGEST_METHOD}),
        verification_time=moment,
    )
    try:
        # x509_cert: the key is the certificate we just decided to trust, never anything else
        # the signature might name.
        result = XMLVerifier().verify(root, x509_cert=chain[0], expect_config=config)
    except InvalidDigest:
        raise SignatureInvalid(Reason.TAMPERED, "the signed content has changed") from None
    except InvalidCertificate:
        raise SignatureInvalid(
            Reason.CERTIFICATE_NOT_VALID, "the certificate is not valid at that time"
        ) from None
    except (CryptoInvalidSignature, SignXMLException) as exc:
        if isinstance(exc, InvalidInput):
            raise SignatureInvalid(Reason.MALFORMED, "the signature is not well formed") from None
        raise SignatureInvalid(
            Reason.BAD_SIGNATURE, "the signature value does not match (other key or edited)"
        ) from None
    except etree.DocumentInvalid:
        raise SignatureInvalid(
            Reason.MALFORMED, "ds:Signature does not follow its schema"
        ) from None
    assert not isinstance(result, list)  # expect_references=1 gives one result
    if result.signed_xml is None:
        raise SignatureInvalid(Reason.MALFORMED, "the signed content is not XML")
    return VerifiedDocument(result.signed_xml, chain[0], _signed_at(signature))


def _the_signature(root: etree._Element) -> etree._Element:
    if etree.QName(root).text != _q(CDA_NS, "ClinicalDocument"):
        raise SignatureInvalid(Reason.MALFORMED, "not a CDA ClinicalDocument")
    everywhere = root.findall(f".//{_q(DS_NS, 'Signature')}")
    if not everywhere:
        raise SignatureInvalid(Reason.MISSING, "the document has no signature")
    if len(everywhere) > 1:
        # One signature per document (see the module docstring); several would also open the
        # door to signature-wrapping tricks.
        raise SignatureInvalid(Reason.MISPLACED, "the document has more than one signature")
    expected = root.findall(f"{SIGNATURE_PARENT_PATH}{_q(DS_NS, 'Signature')}")
    if expected != everywhere:
        raise SignatureInvalid(
            Reason.MISPLACED,
            "the signature is not in localSocialHeader/signatureCollection/signature",
        )
    return everywhere[0]


def _check_algorithms(signature: etree._Element) -> None:
    """Only the one profile we produce: anything else is refused before any cryptography."""
    ns = {"ds": DS_NS}
    c14n = signature.xpath("ds:SignedInfo/ds:CanonicalizationMethod/@Algorithm", namespaces=ns)
    method = signature.xpath("ds:SignedInfo/ds:SignatureMethod/@Algorithm", namespaces=ns)
    references = signature.xpath("ds:SignedInfo/ds:Reference", namespaces=ns)
    if not c14n or not method or not references:
        raise SignatureInvalid(Reason.MALFORMED, "SignedInfo is incomplete")
    if c14n != [C14N.value]:
        raise SignatureInvalid(Reason.ALGORITHM, "SignedInfo must use exclusive c14n")
    if method != [SIGNATURE_METHOD.value]:
        raise SignatureInvalid(Reason.ALGORITHM, "the signature method must be RSA-SHA256")
    if len(references) != 1 or references[0].get("URI") != "":
        raise SignatureInvalid(Reason.ALGORITHM, "exactly one reference, to the whole document")
    transforms = references[0].xpath("ds:Transforms/ds:Transform/@Algorithm", namespaces=ns)
    if transforms != [ENVELOPED_TRANSFORM, C14N.value]:
        raise SignatureInvalid(
            Reason.ALGORITHM, "transforms must be enveloped-signature then exclusive c14n"
        )
    digest = references[0].xpath("ds:DigestMethod/@Algorithm", namespaces=ns)
    if digest != [DIGEST_METHOD.value]:
        raise SignatureInvalid(Reason.ALGORITHM, "the digest method must be SHA-256")


def _key_info_certificates(signature: etree._Element) -> list[x509.Certificate]:
    texts = signature.xpath(
        "ds:KeyInfo/ds:X509Data/ds:X509Certificate/text()", namespaces={"ds": DS_NS}
    )
    if not texts:
        raise SignatureInvalid(Reason.MALFORMED, "KeyInfo has no X509Certificate")
    try:
        # Our signer writes the signer's certificate first, then its chain.
        return [x509.load_der_x509_certificate(_b64(text)) for text in texts]
    except ValueError:
        raise SignatureInvalid(
            Reason.MALFORMED, "KeyInfo holds an unreadable certificate"
        ) from None


def _b64(text: str) -> bytes:
    return base64.b64decode("".join(text.split()), validate=True)


def _check_trust(
    chain: list[x509.Certificate], trusted: list[x509.Certificate], moment: dt.datetime
) -> None:
    signer = chain[0]
    if not (signer.not_valid_before_utc <= moment <= signer.not_valid_after_utc):
        raise SignatureInvalid(
            Reason.CERTIFICATE_NOT_VALID, "the signer's certificate is not valid at that time"
        )
    if not trusted:
        raise SignatureInvalid(Reason.UNTRUSTED_CERTIFICATE, "no trusted certificates configured")
    pinned = {_fingerprint(cert) for cert in trusted}
    if _fingerprint(signer) in pinned:
        return
    try:
        verifier = (
            PolicyBuilder()
            .store(Store(trusted))
            .time(moment)
            # The end entity is a signing certificate, not a TLS client: no EKU requirement.
            .extension_policies(
                ee_policy=ExtensionPolicy.permit_all(),
                ca_policy=ExtensionPolicy.webpki_defaults_ca(),
            )
            .build_client_verifier()
        )
        verifier.verify(signer, chain[1:])
    except (VerificationError, ValueError):
        raise SignatureInvalid(
            Reason.UNTRUSTED_CERTIFICATE, "the signer's certificate is not trusted"
        ) from None


def _fingerprint(cert: x509.Certificate) -> bytes:
    return cert.fingerprint(hashes.SHA256())


def _signed_at(signature: etree._Element) -> dt.datetime | None:
    wrapper = signature.getparent()
    stamp = None if wrapper is None else wrapper.find(_q(HL7FI_NS, "signatureTimestamp"))
    if stamp is None or not stamp.text:
        return None
    try:
        return dt.datetime.fromisoformat(stamp.text.strip())
    except ValueError:
        return None


# --- test and demo certificates -------------------------------------------------------------


def generate_test_certificate(
    common_name: str = "Test system",
    *,
    system_oid: str | None = None,
    valid_days: int = 30,
    issuer: tuple[rsa.RSAPrivateKey, x509.Certificate] | None = None,
    is_ca: bool = False,
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """A fresh RSA-2048 key and certificate for tests and the demo, never for production.

    Self-signed unless ``issuer`` (key, certificate) is given. ``system_oid`` goes into the
    subject serialNumber, where Finnish system certificates carry the system's OID (as seen in
    a public sample; unverified).
    """
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    names = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if system_oid:
        names.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, system_oid))
    subject = x509.Name(names)
    signing_key, issuer_name = (key, subject) if issuer is None else (issuer[0], issuer[1].subject)
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not is_ca,
                content_commitment=not is_ca,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=is_ca,
                crl_sign=is_ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer[0].public_key()),
            critical=False,
        )
    elif is_ca:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False
        )
    return key, builder.sign(signing_key, hashes.SHA256())


def write_pem_files(
    key: rsa.RSAPrivateKey,
    chain: Sequence[x509.Certificate],
    key_path: str | Path,
    cert_path: str | Path,
) -> PemKeySource:
    """Write an unencrypted key and a certificate chain as PEM; return them as a key source."""
    Path(key_path).write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    Path(key_path).chmod(0o600)
    Path(cert_path).write_bytes(
        b"".join(cert.public_bytes(serialization.Encoding.PEM) for cert in chain)
    )
    return PemKeySource(key_path, cert_path)


def load_certificates(pem: bytes | str) -> list[x509.Certificate]:
    """Every certificate in a PEM text (the trusted certificates of a configuration)."""
    return x509.load_pem_x509_certificates(pem.encode() if isinstance(pem, str) else pem)


def certificate_fingerprint(cert: x509.Certificate) -> str:
    """SHA-256 of the DER certificate, hex: what logs may name instead of the certificate."""
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()
