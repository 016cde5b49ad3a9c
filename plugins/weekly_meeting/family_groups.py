"""Which of the team's clients are one family: siblings with records of their own.

The record names a family member who is a client too (``FamilyMember.client_id``); the meeting
discusses such siblings together and writes the minutes into each one's record.
"""

from __future__ import annotations

from plugin_host import api


def family_of(client_id: str, team: api.Team) -> list[str]:
    """The client and those of its siblings who are clients of the same team, client first."""
    on_team = {c.client_id for c in team.clients}
    if client_id not in on_team:
        return []
    family = api.team_gateway().client(client_id).family()
    siblings = [
        m.client_id
        for m in family.members
        if m.client_id and m.client_id in on_team and m.client_id != client_id
    ]
    return [client_id, *dict.fromkeys(siblings)]
