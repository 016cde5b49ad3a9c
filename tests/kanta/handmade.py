"""A small hand-made CDA document and keys for the signing, frame and simulator tests.

Deliberately not the real builder's output: these tests are about signatures, frames and the
archive's version rules, and must not change when the document content rules do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree

from adapters.kanta import signing
from reference_record_system.seed import identity_code

V3 = "urn:hl7-org:v3"
FI = "urn:hl7finland"
TEST_HETU = identity_code(date(1980, 1, 1), 923)
BODY_TEXT = "Genogrammi: perhe ja verkosto"


def _h(name: str) -> str:
    return f"{{{V3}}}{name}"


def cda(
    document_oid: str,
    set_oid: str | None = None,
    version: int = 1,
    replaces: str | None = None,
    body: str = BODY_TEXT,
    header: bool = True,
) -> etree._Element:
    """ClinicalDocument with id, setId, versionNumber, recordTarget, an optional replaced
    version, a local social header and component/nonXMLBody[@ID]."""
    root = etree.Element(_h("ClinicalDocument"), nsmap={None: V3, "hl7fi": FI})
    etree.SubElement(root, _h("typeId"), root="2.16.840.1.113883.1.3", extension="POCD_HD000040")
    etree.SubElement(root, _h("id"), root=document_oid)
    etree.SubElement(root, _h("code"), code="19013", codeSystem="1.2.246.537.6.1506.201701")
    etree.SubElement(root, _h("title")).text = "Asiakaskertomus"
    etree.SubElement(root, _h("effectiveTime"), value="20250102120000+0200")
    etree.SubElement(root, _h("confidentialityCode"), code="6")
    etree.SubElement(root, _h("setId"), root=set_oid or document_oid)
    etree.SubElement(root, _h("versionNumber"), value=str(version))
    role = etree.SubElement(etree.SubElement(root, _h("recordTarget")), _h("patientRole"))
    etree.SubElement(role, _h("id"), root="1.2.246.21", extension=TEST_HETU)
    if replaces:
        related = etree.SubElement(root, _h("relatedDocument"), typeCode="RPLC")
        parent = etree.SubElement(related, _h("parentDocument"))
        etree.SubElement(parent, _h("id"), root=replaces)
    if header:
        local = etree.SubElement(root, f"{{{FI}}}localSocialHeader")
        etree.SubElement(local, f"{{{FI}}}typeCode", code="19013")
    component = etree.SubElement(root, _h("component"))
    nonxml = etree.SubElement(component, _h("nonXMLBody"), ID="body-1")
    etree.SubElement(nonxml, _h("text"), mediaType="text/plain").text = body
    return root


@dataclass
class Keys:
    key: rsa.RSAPrivateKey
    cert: x509.Certificate
    source: signing.PemKeySource
    cert_path: Path


def make_keys(directory: Path, name: str = "system") -> Keys:
    key, cert = signing.generate_test_certificate(f"Test {name}", system_oid="2.999.10.1")
    source = signing.write_pem_files(
        key, [cert], directory / f"{name}-key.pem", directory / f"{name}-cert.pem"
    )
    return Keys(key, cert, source, directory / f"{name}-cert.pem")


def signed_bytes(document: etree._Element, keys: signing.KeySource) -> bytes:
    return etree.tostring(signing.sign(document, keys), xml_declaration=True, encoding="UTF-8")
