"""The weekly meeting's closed vocabularies: the codes the schema accepts and the words people read.

Codes are stable (they are stored in the client's record); labels are translated. There are two
sets of labels: the team's own (for the worker's screens and the record) and the family-safe ones
in plain words, for the family view shown on the shared screen and printed for the family.
"""

from __future__ import annotations

from plugin_host.api import lazy_gettext as _

PARTICIPANT_KINDS = ("team", "family", "network")
TEAM_ROLES = (
    "presenting_worker",
    "facilitator",
    "note_taker",
    "reflecting_member",
    "team_member",
)
FAMILY_ROLES = ("child", "parent", "guardian", "sibling", "relative", "other_family")
NETWORK_ROLES = ("school", "daycare", "health", "police", "ngo", "friend", "other_network")
ROLES_BY_KIND = {"team": TEAM_ROLES, "family": FAMILY_ROLES, "network": NETWORK_ROLES}
ROLES = TEAM_ROLES + FAMILY_ROLES + NETWORK_ROLES
# The participant id says which kind of participant it is: t:<worker>, f:<person>, n:<8 hex>.
ID_PREFIXES = {"team": "t:", "family": "f:", "network": "n:"}

CONSENT_SCOPES = ("attend", "attend_and_reflections", "whole_discussion")
HYPOTHESIS_STATUSES = ("open", "supported", "discarded")
CHILD_VIEW_METHODS = (
    "in_meeting",
    "met_alone",
    "play_or_drawing",
    "written_by_child",
    "through_trusted_adult",
    "not_obtained",
)
TASK_STATES = ("open", "done", "cancelled")
OUTCOME_KINDS = ("decision", "intervention", "understanding", "postponed", "escalated")
# These outcomes leave the matter open, so the record must say why.
OUTCOMES_NEEDING_REASON = frozenset({"postponed", "escalated"})

PARTICIPANT_KIND_LABELS = {
    "team": _("team"),
    "family": _("family"),
    "network": _("network"),
}

ROLE_LABELS = {
    "presenting_worker": _("presenting worker"),
    "facilitator": _("facilitator"),
    "note_taker": _("note taker"),
    "reflecting_member": _("reflecting team member"),
    "team_member": _("team member"),
    "child": _("child"),
    "parent": _("parent"),
    "guardian": _("guardian"),
    "sibling": _("sibling"),
    "relative": _("relative"),
    "other_family": _("other family member"),
    "school": _("school"),
    "daycare": _("daycare"),
    "health": _("health care"),
    "police": _("police"),
    "ngo": _("non-governmental organisation"),
    "friend": _("friend"),
    "other_network": _("other network member"),
}

CONSENT_SCOPE_LABELS = {
    "attend": _("consents to attend"),
    "attend_and_reflections": _("consents to attend and to hear the reflections"),
    "whole_discussion": _("consents to the whole discussion"),
}

HYPOTHESIS_STATUS_LABELS = {
    "open": _("open"),
    "supported": _("supported"),
    "discarded": _("discarded"),
}

CHILD_VIEW_METHOD_LABELS = {
    "in_meeting": _("in the meeting"),
    "met_alone": _("met the child alone"),
    "play_or_drawing": _("through play or drawing"),
    "written_by_child": _("written by the child"),
    "through_trusted_adult": _("through an adult the child trusts"),
    "not_obtained": _("not obtained"),
}

TASK_STATE_LABELS = {
    "open": _("open"),
    "done": _("done"),
    "cancelled": _("cancelled"),
}

OUTCOME_KIND_LABELS = {
    "decision": _("decision"),
    "intervention": _("intervention"),
    "understanding": _("understanding"),
    "postponed": _("postponed"),
    "escalated": _("escalated"),
}

# --- The family's words: what the family view shows, in plain language, no jargon. ---

FAMILY_SAFE_HEADINGS = {
    "participants": _("Who was here"),
    "question": _("What we wanted to think about today"),
    "update": _("What we know now"),
    "hypotheses": _("Ideas we are exploring together (working hypotheses, not findings)"),
    "reflections": _("What the team thought out loud"),
    "family_view": _("What the family said"),
    "child_view": _("What the child told us"),
    "worries": _("What we are worried about"),
    "resources": _("What is going well"),
    "risk_scalings": _("How things look on a scale from 0 to 10"),
    "decisions": _("What was decided"),
    "tasks": _("Who does what, and by when"),
    "outcome": _("Where we got to"),
    "next_review": _("When we will look at this again"),
}

FAMILY_SAFE_ROLE_LABELS = {
    "presenting_worker": _("your worker"),
    "facilitator": _("leads the meeting"),
    "note_taker": _("writes down what is said"),
    "reflecting_member": _("shares thoughts from the team"),
    "team_member": _("from the team"),
    "child": _("child"),
    "parent": _("parent"),
    "guardian": _("guardian"),
    "sibling": _("brother or sister"),
    "relative": _("relative"),
    "other_family": _("family"),
    "school": _("from school"),
    "daycare": _("from daycare"),
    "health": _("from health care"),
    "police": _("from the police"),
    "ngo": _("from an organisation that helps families"),
    "friend": _("friend"),
    "other_network": _("someone the family knows"),
}

# The family view never shows the team's status codes, only these plain keys.
FAMILY_SAFE_HYPOTHESIS_STATUS = {
    "open": "still_exploring",
    "supported": "seems_to_fit",
    "discarded": "set_aside",
}

FAMILY_SAFE_HYPOTHESIS_STATUS_LABELS = {
    "still_exploring": _("still exploring"),
    "seems_to_fit": _("this seems to fit"),
    "set_aside": _("set aside"),
}

FAMILY_SAFE_CHILD_VIEW_METHOD_LABELS = {
    "in_meeting": _("said in the meeting"),
    "met_alone": _("told a worker when they met alone"),
    "play_or_drawing": _("shown through play or drawing"),
    "written_by_child": _("written by the child"),
    "through_trusted_adult": _("told to an adult the child trusts"),
    "not_obtained": _("we did not hear the child's view this time"),
}

FAMILY_SAFE_TASK_STATE_LABELS = {
    "open": _("to do"),
    "done": _("done"),
    "cancelled": _("no longer needed"),
}

FAMILY_SAFE_OUTCOME_LABELS = {
    "decision": _("a decision was made"),
    "intervention": _("we agreed on something to try"),
    "understanding": _("we understand things better now"),
    "postponed": _("we will come back to this"),
    "escalated": _("this was taken further"),
}

# A task's owner from the team who was not in the meeting has no name in the discussion.
FAMILY_SAFE_ABSENT_OWNER = _("a worker from the team")


def label(vocabulary: dict[str, object], code: str) -> str:
    """The translated label of ``code``; a code outside the vocabulary is shown as it is."""
    found = vocabulary.get(code)
    return str(found) if found is not None else code


def choices(codes: tuple[str, ...], labels: dict[str, object]) -> list[tuple[str, str]]:
    """(code, translated label) pairs for a select, in the vocabulary's order."""
    return [(code, str(labels[code])) for code in codes]
