"""One document version to the archive: build, validate, sign, frame, send.

The steps in the order the national rules need them; a document that fails validation is never
signed or sent, and each failure says which step refused it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from adapters.kanta.builder import BuildError, build_document, serialize
from adapters.kanta.code_tables import CodeTables
from adapters.kanta.frame import Acknowledgement, FrameParties, build_frame
from adapters.kanta.model import KantaDocument
from adapters.kanta.signing import KeySource, sign
from adapters.kanta.transport import ArchiveTransport
from adapters.kanta.validation import Problem, validate


class DocumentRefused(Exception):
    """The document cannot go to the archive as it is (build or validation problems)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Submission:
    correlation_id: str
    acknowledgement: Acknowledgement


class KantaArchive:
    """The archive as the host sees it; ``production`` False accepts only test identity codes."""

    def __init__(
        self,
        tables: CodeTables,
        keys: KeySource,
        transport: ArchiveTransport,
        parties: FrameParties,
        *,
        production: bool,
    ) -> None:
        self.tables = tables
        self._keys = keys
        self._transport = transport
        self._parties = parties
        self._production = production

    def prepare(self, document: KantaDocument) -> bytes:
        """The signed, serialised CDA document; raise DocumentRefused with every problem."""
        try:
            built = build_document(document, self.tables)
        except BuildError as exc:
            raise DocumentRefused([str(exc)]) from None
        problems: list[Problem] = validate(
            serialize(built), production=self._production, tables=self.tables
        )
        if problems:
            raise DocumentRefused([str(problem) for problem in problems])
        return serialize(sign(built, self._keys))

    def stored_ids(self, set_oid: str) -> set[str]:
        """The ids of the set's versions the archive holds (raises ``ArchiveUnavailable``)."""
        return {version.document_oid for version in self._transport.query(set_oid)}

    def submit(self, document: KantaDocument) -> Submission:
        """Prepare and send; the archive's answer (accepted or with numbered errors) comes back.

        Raises DocumentRefused before sending, ``ArchiveUnavailable`` when the outcome is unknown
        and ``ArchiveRejected`` when the archive refused.
        """
        signed = self.prepare(document)
        correlation_id = uuid.uuid4().hex
        frame = build_frame(signed, self._parties)
        return Submission(correlation_id, self._transport.send(frame, correlation_id))


def new_oid() -> str:
    """A globally unique OID for a document version without a registered root (X.667, 2.25)."""
    return f"2.25.{uuid.uuid4().int}"
