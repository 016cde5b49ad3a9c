"""XML-DSig of Kanta documents: round trip, and each way a signature can fail, by reason."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree

from adapters.kanta import signing
from adapters.kanta.pipeline import new_oid
from adapters.kanta.signing import Reason, SignatureInvalid
from tests.kanta.handmade import BODY_TEXT, FI, TEST_HETU, V3, Keys, cda, make_keys

DS = signing.DS_NS


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    return make_keys(tmp_path_factory.mktemp("keys"))


@pytest.fixture(scope="module")
def other_keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    return make_keys(tmp_path_factory.mktemp("other-keys"), "other")


def _signed(keys: signing.KeySource, **kwargs: object) -> bytes:
    document = cda(new_oid(), **kwargs)  # type: ignore[arg-type]
    return etree.tostring(signing.sign(document, keys), xml_declaration=True, encoding="UTF-8")


def _reason(data: bytes, trusted: Sequence[x509.Certificate], **kwargs: object) -> Reason:
    with pytest.raises(SignatureInvalid) as caught:
        signing.verify(data, trusted, **kwargs)  # type: ignore[arg-type]
    return caught.value.reason


def test_round_trip_gives_the_signed_content_signer_and_time(keys: Keys) -> None:
    oid = new_oid()
    document = cda(oid)
    before = etree.tostring(document)
    moment = dt.datetime(2025, 3, 4, 10, 0, tzinfo=dt.UTC)
    signed = signing.sign(document, keys.source, signed_at=moment)
    assert etree.tostring(document) == before, "the input must not be changed"

    verified = signing.verify(etree.tostring(signed), [keys.cert])

    assert verified.certificate == keys.cert
    assert verified.signed_at == moment
    assert verified.document.find(f"{{{V3}}}id").get("root") == oid
    # The verified content is the document without its ds:Signature.
    assert verified.document.find(f".//{{{DS}}}Signature") is None


def test_signature_profile_and_place(keys: Keys) -> None:
    signed = etree.fromstring(_signed(keys.source))
    ns = {"ds": DS, "fi": FI}
    wrappers = signed.xpath(
        "fi:localSocialHeader/fi:signatureCollection/fi:signature", namespaces=ns
    )
    assert len(wrappers) == 1
    signature = wrappers[0].find(f"{{{DS}}}Signature")
    assert signature is not None
    assert wrappers[0].find(f"{{{FI}}}signatureTimestamp") is not None
    info = "ds:SignedInfo/"
    assert signature.xpath(f"{info}ds:CanonicalizationMethod/@Algorithm", namespaces=ns) == [
        "http://www.w3.org/2001/10/xml-exc-c14n#"
    ]
    assert signature.xpath(f"{info}ds:SignatureMethod/@Algorithm", namespaces=ns) == [
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    ]
    assert signature.xpath(f"{info}ds:Reference/@URI", namespaces=ns) == [""]
    assert signature.xpath(f"{info}ds:Reference/ds:DigestMethod/@Algorithm", namespaces=ns) == [
        "http://www.w3.org/2001/04/xmlenc#sha256"
    ]
    der = base64.b64decode(
        signature.xpath("ds:KeyInfo/ds:X509Data/ds:X509Certificate/text()", namespaces=ns)[0]
    )
    assert x509.load_der_x509_certificate(der) == keys.cert
    # The existing local header is reused, not duplicated.
    assert len(signed.findall(f"{{{FI}}}localSocialHeader")) == 1


def test_a_header_is_added_before_the_body_when_missing(keys: Keys) -> None:
    signed = signing.sign(cda(new_oid(), header=False), keys.source)
    names = [etree.QName(child).localname for child in signed]
    assert names[-2:] == ["localSocialHeader", "component"]
    signing.verify(etree.tostring(signed), [keys.cert])


@pytest.mark.parametrize(
    ("original", "changed"),
    [
        (BODY_TEXT.encode(), b"Genogrammi: muutettu"),  # the body
        (TEST_HETU.encode(), b"010180-9249"),  # the client in the header
        (b'value="1"', b'value="2"'),  # the version number
    ],
)
def test_tampered_content_is_detected(keys: Keys, original: bytes, changed: bytes) -> None:
    data = _signed(keys.source)
    assert original in data
    assert _reason(data.replace(original, changed), [keys.cert]) is Reason.TAMPERED


def test_tampered_signed_info_is_a_bad_signature(keys: Keys) -> None:
    root = etree.fromstring(_signed(keys.source))
    digest = root.find(f".//{{{DS}}}DigestValue")
    digest.text = base64.b64encode(b"\0" * 32).decode()
    assert _reason(etree.tostring(root), [keys.cert]) is Reason.BAD_SIGNATURE


def test_missing_signature() -> None:
    data = etree.tostring(cda(new_oid()))
    with pytest.raises(SignatureInvalid) as caught:
        signing.verify(data, [])
    assert caught.value.reason is Reason.MISSING
    assert "no signature" in str(caught.value)


def test_untrusted_certificate(keys: Keys, other_keys: Keys) -> None:
    assert _reason(_signed(keys.source), [other_keys.cert]) is Reason.UNTRUSTED_CERTIFICATE
    assert _reason(_signed(keys.source), []) is Reason.UNTRUSTED_CERTIFICATE


class _Mismatched:
    """Signs with one key but presents another (trusted) certificate."""

    def __init__(self, key: rsa.RSAPrivateKey, cert: x509.Certificate) -> None:
        self._key, self._cert = key, cert

    def private_key(self) -> rsa.RSAPrivateKey:
        return self._key

    def certificate_chain(self) -> Sequence[x509.Certificate]:
        return [self._cert]


def test_a_trusted_certificate_does_not_cover_another_key(keys: Keys, other_keys: Keys) -> None:
    data = _signed(_Mismatched(other_keys.key, keys.cert))
    assert _reason(data, [keys.cert]) is Reason.BAD_SIGNATURE


def test_certificate_issued_by_a_trusted_ca(tmp_path: Path) -> None:
    ca = signing.generate_test_certificate("Test CA", is_ca=True)
    leaf_key, leaf = signing.generate_test_certificate("Test system", issuer=ca)
    source = signing.write_pem_files(leaf_key, [leaf], tmp_path / "k.pem", tmp_path / "c.pem")
    data = _signed(source)

    assert signing.verify(data, [ca[1]]).certificate == leaf
    other_ca = signing.generate_test_certificate("Other CA", is_ca=True)
    assert _reason(data, [other_ca[1]]) is Reason.UNTRUSTED_CERTIFICATE


def test_certificate_outside_its_validity(keys: Keys) -> None:
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=400)
    assert _reason(_signed(keys.source), [keys.cert], at=later) is Reason.CERTIFICATE_NOT_VALID


def test_signature_moved_out_of_the_header_is_refused(keys: Keys) -> None:
    root = etree.fromstring(_signed(keys.source))
    root.append(root.find(f".//{{{DS}}}Signature"))
    assert _reason(etree.tostring(root), [keys.cert]) is Reason.MISPLACED


def test_two_signatures_are_refused(keys: Keys) -> None:
    root = etree.fromstring(_signed(keys.source))
    signature = root.find(f".//{{{DS}}}Signature")
    signature.getparent().append(etree.fromstring(etree.tostring(signature)))
    assert _reason(etree.tostring(root), [keys.cert]) is Reason.MISPLACED


def test_not_xml_and_dtd_are_malformed(keys: Keys) -> None:
    assert _reason(b"not xml", [keys.cert]) is Reason.MALFORMED
    hostile = b'<!DOCTYPE x [<!ENTITY e "boom">]><ClinicalDocument xmlns="urn:hl7-org:v3"/>'
    assert _reason(hostile, [keys.cert]) is Reason.MALFORMED


def test_signing_refuses_non_cda_and_signed_documents(keys: Keys) -> None:
    with pytest.raises(signing.SigningError):
        signing.sign(etree.Element("other"), keys.source)
    signed = signing.sign(cda(new_oid()), keys.source)
    with pytest.raises(signing.SigningError):
        signing.sign(signed, keys.source)


def test_pem_key_source_refuses_a_certificate_of_another_key(
    keys: Keys, other_keys: Keys, tmp_path: Path
) -> None:
    key_path = tmp_path / "system-key.pem"
    key_path.write_bytes((keys.cert_path.parent / "system-key.pem").read_bytes())
    with pytest.raises(ValueError, match="does not belong"):
        signing.PemKeySource(key_path, other_keys.cert_path)
