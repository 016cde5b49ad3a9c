"""Plugin documents to the Kanta archive: the owning plugin's archive form, the record's facts
(client, document version, case), and the Kanta adapter; every sending persisted and audited.

A document is archived version by version as one archive set: the first sending opens the set,
each later record version replaces the archive version before it. Sending a record version that
is already in the archive answers the earlier transmission again (nothing is sent twice).
"""

from __future__ import annotations

import json
import uuid

from sqlalchemy import select

from adapters.kanta.code_tables import CodeTables
from adapters.kanta.frame import FrameParties
from adapters.kanta.model import KantaDocument, Party
from adapters.kanta.pipeline import DocumentRefused, KantaArchive, new_oid
from adapters.kanta.signing import PemKeySource
from adapters.kanta.transport import ArchiveRejected, ArchiveUnavailable, HttpArchiveTransport
from plugin_host.api import ArchiveForm
from plugin_host.audit import AuditLog, AuditRecord
from plugin_host.clock import utcnow
from plugin_host.config import KantaConfig
from plugin_host.document_types import DocumentTypes
from plugin_host.launch.context import LaunchContext
from plugin_host.records import RecordNotFound, RecordSystem
from plugin_host.registry import PluginRegistry
from plugin_host.storage import Database
from plugin_host.storage.models import KantaTransmission

HOST_PLUGIN = "host"
ACCEPTED, REJECTED, REFUSED, UNKNOWN = "accepted", "rejected", "refused", "unknown"
# An unknown sending the archive's listing shows it never stored: safe to send again.
SETTLED_NOT_STORED = "not_stored"


class NotArchivable(Exception):
    """No plugin gives an archive form for this document's type."""


class OlderThanArchived(Exception):
    """A newer version of the document is in the archive already: sending an older one would
    make the archive's current version older content."""


class ArchiveNotAnswering(Exception):
    """The archive did not answer; an earlier sending's fate is still open, nothing was sent."""


def build_archiving(
    config: KantaConfig | None,
    database: Database,
    audit: AuditLog,
    registry: PluginRegistry,
    document_types: DocumentTypes,
    record_system: RecordSystem,
) -> Archiving | None:
    """Archiving as configured; None without a ``[kanta]`` section."""
    if config is None:
        return None
    return Archiving(
        build_archive(config), config, database, audit, registry, document_types, record_system
    )


def build_archive(config: KantaConfig) -> KantaArchive:
    """The Kanta adapter as configured: code tables, the system certificate, the transport."""
    client_cert = str(config.client_certificate_file) if config.client_certificate_file else None
    return KantaArchive(
        CodeTables.load(),
        PemKeySource(config.key_file, config.certificate_file),
        HttpArchiveTransport(
            config.archive_url,
            client_cert=client_cert,
            ca=str(config.ca_file) if config.ca_file else None,
            timeout=config.timeout_seconds,
        ),
        FrameParties(sender_oid=config.sender_oid, receiver_oid=config.receiver_oid),
        production=config.production,
    )


class Archiving:
    def __init__(
        self,
        archive: KantaArchive,
        config: KantaConfig,
        database: Database,
        audit: AuditLog,
        registry: PluginRegistry,
        document_types: DocumentTypes,
        record_system: RecordSystem,
    ) -> None:
        self._archive = archive
        self._config = config
        self._database = database
        self._audit = audit
        self._registry = registry
        self._document_types = document_types
        self._records = record_system

    def archive(
        self, launch: LaunchContext, document_id: str, version: int | None = None
    ) -> KantaTransmission:
        """Send one version (default: the newest) of the launched client's record document."""
        ctx = launch.request_context()
        document = self._records.get_document(ctx, document_id, version)
        ref = document.ref
        if ref.client_id != launch.client_id:
            raise RecordNotFound("no such document for this client")
        self._settle_unknown(launch.client_id, ref.document_id)
        with self._database.transaction() as session:
            sent = session.scalars(
                select(KantaTransmission)
                .where(KantaTransmission.client_id == launch.client_id)
                .where(KantaTransmission.record_document_id == ref.document_id)
                .where(KantaTransmission.status == ACCEPTED)
                .order_by(KantaTransmission.kanta_version.desc())
            ).all()
            session.expunge_all()
        already = next((t for t in sent if t.record_version == ref.version), None)
        if already is not None:
            return already
        if sent and ref.version < sent[0].record_version:
            raise OlderThanArchived(ref.document_id)
        plugin, form = self._form(ref.document_type, document.content)
        client = self._records.get_client(ctx, launch.client_id)
        previous = sent[0] if sent else None
        document_oid = new_oid()
        kanta_document = KantaDocument(
            document_oid=document_oid,
            set_oid=previous.set_oid if previous else document_oid,
            version=previous.kanta_version + 1 if previous else 1,
            replaces_oid=previous.document_oid if previous else None,
            type_code=form.type_code,
            title=ref.title,
            effective_time=ref.created_at,
            client=Party(client.identity_code or "", client.first_names, client.last_name),
            # The record contract names workers by id only; the id stands in for the name.
            author=Party(launch.worker_id, "", launch.worker_id),
            custodian_oid=self._config.custodian_oid,
            custodian_name=self._config.custodian_name,
            case_id=client.case_id or launch.client_id,
            display_xhtml=form.display_xhtml,
            structured=form.structured,
        )
        status, errors, correlation_id = self._send(kanta_document)
        row = KantaTransmission(
            correlation_id=correlation_id,
            client_id=launch.client_id,
            plugin=plugin,
            worker_id=launch.worker_id,
            record_document_id=ref.document_id,
            record_version=ref.version,
            set_oid=kanta_document.set_oid,
            document_oid=document_oid,
            kanta_version=kanta_document.version,
            status=status,
            errors="\n".join(errors) or None,
            sent_at=utcnow(),
        )
        with self._database.transaction() as session:
            session.add(row)
            # A disclosure to the national archive: who, whose, which version, with what answer.
            self._audit.add(
                session,
                launch,
                AuditRecord(
                    plugin=HOST_PLUGIN,
                    operation="kanta.disclose",
                    outcome=status,
                    document_id=ref.document_id,
                    document_version=ref.version,
                    detail=f"correlation {correlation_id}",
                ),
            )
            session.flush()
            session.expunge(row)
        return row

    def _settle_unknown(self, client_id: str, document_id: str) -> None:
        """Sendings left without an answer: the archive's own listing says whether it stored
        them, so that nothing is archived twice and the version chain stays whole."""
        with self._database.transaction() as session:
            unknown = session.scalars(
                select(KantaTransmission)
                .where(KantaTransmission.client_id == client_id)
                .where(KantaTransmission.record_document_id == document_id)
                .where(KantaTransmission.status == UNKNOWN)
            ).all()
            for row in unknown:
                try:
                    stored = self._archive.stored_ids(row.set_oid)
                except ArchiveUnavailable:
                    raise ArchiveNotAnswering from None
                row.status = ACCEPTED if row.document_oid in stored else SETTLED_NOT_STORED
                row.errors = None if row.status == ACCEPTED else row.errors

    def transmissions(self, launch: LaunchContext, document_id: str) -> list[KantaTransmission]:
        """Every sending of the launched client's document, newest first."""
        with self._database.transaction() as session:
            rows = session.scalars(
                select(KantaTransmission)
                .where(KantaTransmission.client_id == launch.client_id)
                .where(KantaTransmission.record_document_id == document_id)
                .order_by(KantaTransmission.id.desc())
            ).all()
            session.expunge_all()
        return list(rows)

    def _form(self, document_type: str, content: str) -> tuple[str, ArchiveForm]:
        plugin = self._document_types.owner(document_type)
        if plugin is None:
            raise NotArchivable(document_type)
        outcomes = self._registry.call_each(
            "archive_form", only=[plugin], document_type=document_type, content=json.loads(content)
        )
        form = next((o.value for o in outcomes if o.ok and o.value is not None), None)
        if form is None:
            raise NotArchivable(document_type)
        return plugin, form

    def _send(self, document: KantaDocument) -> tuple[str, list[str], str]:
        try:
            submission = self._archive.submit(document)
        except DocumentRefused as exc:
            return REFUSED, exc.problems, uuid.uuid4().hex
        except ArchiveRejected as exc:
            return REJECTED, exc.errors, uuid.uuid4().hex
        except ArchiveUnavailable:
            # Sent or not, we cannot tell: kept as unknown; the next sending of this document
            # asks the archive's listing first (_settle_unknown).
            return UNKNOWN, ["The archive did not answer."], uuid.uuid4().hex
        ack = submission.acknowledgement
        if ack.accepted:
            return ACCEPTED, [], submission.correlation_id
        return REJECTED, ack.numbered(), submission.correlation_id
