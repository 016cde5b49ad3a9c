"""What the Kanta adapter builds from: one document version, every fact the CDA header needs.

The host fills this in from the plugin's archive form (``plugin_host.api.ArchiveForm``), the
launch and the record; nothing here knows of plugins.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Party:
    """A person in the header: the client (identity code) or the author (professional id)."""

    identifier: str
    given_names: str
    family_name: str


@dataclass(frozen=True)
class KantaDocument:
    """One version of one archive document.

    ``document_oid`` is this version's id; ``set_oid`` is the same for every version (equal to
    ``document_oid`` on version 1); ``replaces_oid`` is the previous version's id (version > 1).
    """

    document_oid: str
    set_oid: str
    version: int
    type_code: str  # specific document type, code system 1.2.246.537.6.1506.201701 (e.g. 19013)
    title: str
    effective_time: datetime  # aware
    client: Party
    author: Party
    custodian_oid: str  # the controller (rekisterinpitäjä)
    custodian_name: str
    case_id: str  # componentOf/encompassingEncounter id (asian tunnus)
    display_xhtml: str  # the display form's <body> content, XHTML, rendered from the same data
    structured: dict[str, Any]  # the structured form (hl7fi:json), per its content specification
    replaces_oid: str | None = None
    confidentiality_code: str = "6"  # 1.2.246.777.5.99902.2006: 6 = secret (salassa pidettävä)
    restrictions: tuple[str, ...] = field(default_factory=tuple)  # legal grounds, code values
    language: str = "fi"
    # The case's own service task (code list service_tasks) when it differs from the document
    # type's default, e.g. a client-record entry (19xxx) written in a family-services case.
    service_task: str | None = None
    # When the case (componentOf/encompassingEncounter) began; unknown is written as such.
    case_opened: datetime | None = None  # aware
