"""A worker's browser tab, simulated over the documents API: launch, create, update with If-Match.

Each :class:`HostClient` is one worker with one client open, with its own cookie jar, as one
record-system tab would be. What it sends is kept in a :class:`DocumentHistory` per document:
the truth the record system is compared to once the outbox has delivered everything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import requests

from plugin_host.demo import DEMO_ISSUER, DEMO_UNIT
from reference_record_system.launch_signer import sign_launch

WORKER = "w-demo"
PLUGIN = "client_note"
DOCUMENT_TYPE = "note"
_TIMEOUT = 30


@dataclass(frozen=True)
class Receipt:
    """The host's 202 answer to one write."""

    write_id: str
    document_id: str  # ``pending:<write id>`` until the document's creation is delivered
    version: int


@dataclass
class DocumentHistory:
    """One document as its only writer sent it: every body and every receipt, in order."""

    client_id: str
    bodies: list[dict[str, Any]] = field(default_factory=list)
    receipts: list[Receipt] = field(default_factory=list)

    def record(self, body: dict[str, Any], receipt: Receipt) -> None:
        self.bodies.append(body)
        self.receipts.append(receipt)

    @property
    def document_id(self) -> str:
        """The id the host gave in its latest answer, to name the document in the next write."""
        return self.receipts[-1].document_id

    @property
    def version(self) -> int:
        return self.receipts[-1].version

    @property
    def write_ids(self) -> list[str]:
        return [receipt.write_id for receipt in self.receipts]


def note_body(label: str, number: int, version: int) -> dict[str, Any]:
    """A note unique to its document and version, with characters XML and JSON must carry."""
    text = f"{label}/{number}/v{version}: perhe & verkosto <kokous> \u2013 äöå \u2713"
    return {"title": f"{label} muistiinpano {number} v{version}", "content": {"text": text}}


class HostClient:
    """One launched session of worker ``w-demo`` for one client."""

    def __init__(self, host_url: str, client_id: str, session: requests.Session) -> None:
        self.host_url = host_url
        self.client_id = client_id
        self._session = session
        self._csrf = self._get("/api/session")["csrf_token"]

    @classmethod
    def launch(cls, host_url: str, private_key_pem: bytes, client_id: str) -> HostClient:
        """Open the client through a signed launch, as the record system's page does."""
        token = sign_launch(
            private_key_pem,
            issuer=DEMO_ISSUER,
            audience=host_url,
            worker_id=WORKER,
            org_unit=DEMO_UNIT,
            client_id=client_id,
            purpose="asiakastyö",
            view=None,
        )
        session = requests.Session()
        answer = session.get(
            f"{host_url}/launch", params={"token": token}, allow_redirects=False, timeout=_TIMEOUT
        )
        assert answer.status_code == 303, (answer.status_code, answer.text[:500])
        return cls(host_url, client_id, session)

    def create(self, body: dict[str, Any]) -> Receipt:
        return self._write("POST", f"/api/{PLUGIN}/documents/{DOCUMENT_TYPE}", body, {})

    def update(self, document_id: str, version: int, body: dict[str, Any]) -> Receipt:
        path = f"/api/{PLUGIN}/documents/{DOCUMENT_TYPE}/{document_id}"
        return self._write("PUT", path, body, {"If-Match": f'"{version}"'})

    def _write(
        self, method: str, path: str, body: dict[str, Any], headers: dict[str, str]
    ) -> Receipt:
        # No retry: the host accepts a write whatever state the record system is in.
        answer = self._session.request(
            method,
            f"{self.host_url}/c/{self.client_id}{path}",
            json=body,
            headers={**headers, "X-CSRF-Token": self._csrf},
            timeout=_TIMEOUT,
        )
        assert answer.status_code == 202, (method, path, answer.status_code, answer.text[:500])
        data = answer.json()
        return Receipt(data["write_id"], data["document_id"], data["version"])

    def _get(self, path: str) -> dict[str, Any]:
        answer = self._session.get(f"{self.host_url}/c/{self.client_id}{path}", timeout=_TIMEOUT)
        assert answer.status_code == 200, (path, answer.status_code, answer.text[:500])
        return answer.json()


def new_histories(client_id: str, documents: int) -> list[DocumentHistory]:
    return [DocumentHistory(client_id) for _ in range(documents)]


def write_versions(
    client: HostClient, label: str, histories: list[DocumentHistory], versions: int
) -> list[DocumentHistory]:
    """Write ``versions`` more versions of each document, round-robin between them.

    A document without versions is created; every update names the version the previous answer
    gave (If-Match), as an editor that keeps saving would. Round-robin leaves each document a
    moment to be delivered, or not, before its next write.
    """
    for _ in range(versions):
        for number, history in enumerate(histories):
            body = note_body(label, number, len(history.bodies) + 1)
            if history.receipts:
                receipt = client.update(history.document_id, history.version, body)
            else:
                receipt = client.create(body)
            history.record(body, receipt)
    return histories


def write_documents(
    client: HostClient, label: str, documents: int, versions: int
) -> list[DocumentHistory]:
    """Create ``documents`` notes of this client and bring each to ``versions``."""
    return write_versions(client, label, new_histories(client.client_id, documents), versions)
