"""Kanta social-welfare archive: plugin documents as HL7 CDA R2 documents with the Finnish
local header, validated, signed with XML-DSig, framed and sent to the archive (or its simulator)."""
