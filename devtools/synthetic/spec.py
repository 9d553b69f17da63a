"""What to generate (``SyntheticSpec``), which delegations, and how to tell what an
existing synthetic meeting was generated with."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django_countries import countries

from recommendations.models import Delegation, Meeting

from .vocabulary import HOSTS_FIRST, ORGANISATIONS, UN_MEMBER_STATES

MEETING_SLUG = "synthetic"
PERSON_SLUG_PREFIX = "synthetic-"
CODE_PREFIX = "SYN-"
PARAMS_MARKER = "seed_synthetic parameters: "


@dataclass(frozen=True)
class SyntheticSpec:
    recommendations: int
    delegations: int
    follow_ups: int
    updates: int
    seed: int = 1
    sessions: int = 10
    people: int = 300
    # The first ``roster`` delegations of the catalogue used take part in the follow-up.
    roster: int = 0

    def problems(self) -> list[str]:
        """What makes these parameters impossible (empty when they are fine)."""
        problems = []
        n_delegations = len(UN_MEMBER_STATES) + len(ORGANISATIONS)
        if min(self.recommendations, self.follow_ups, self.updates) < 0:
            problems.append("counts cannot be negative")
        if not 1 <= self.delegations <= n_delegations:
            problems.append(f"--delegations must be between 1 and {n_delegations}")
        if not 0 <= self.roster <= self.delegations:
            problems.append("--roster must be between 0 and --delegations")
        if not 1 <= self.sessions <= 50:
            problems.append("--sessions must be between 1 and 50")
        if not 1 <= self.people <= 9999:
            problems.append("--people must be between 1 and 9999")
        if self.recommendations < 1:
            problems.append("--recommendations must be at least 1")
        if self.follow_ups > self.recommendations * self.delegations:
            problems.append(
                "--follow-ups cannot exceed recommendations × delegations "
                "(one follow-up per item and delegation)"
            )
        if self.updates and not self.follow_ups:
            problems.append("--updates needs follow-ups to attach to")
        if self.follow_ups and self.updates > 50 * self.follow_ups:
            problems.append("--updates cannot exceed 50 per follow-up")
        return problems


def delegation_catalogue() -> list[tuple[str, str, str, str]]:
    """Every delegation the generator can use, in the order it uses them:
    ``(code, name, kind, alpha-2 country)``. No query."""
    ordered = HOSTS_FIRST + sorted(c for c in UN_MEMBER_STATES if c not in HOSTS_FIRST)
    rows = [
        (countries.alpha3(c), str(countries.name(c)), Delegation.Kind.MEMBER_STATE, c)
        for c in ordered
    ]
    rows += [(code, name, Delegation.Kind.ORGANISATION, "") for code, name in ORGANISATIONS]
    return rows


def seeded_parameters() -> dict | None:
    """The parameters the synthetic meeting was generated with, or None when there is
    no synthetic meeting. One query."""
    description = (
        Meeting.objects.filter(slug=MEETING_SLUG).values_list("description", flat=True).first()
    )
    if description is None:
        return None
    for line in description.splitlines():
        if line.startswith(PARAMS_MARKER):
            return json.loads(line[len(PARAMS_MARKER) :])
    return {}
