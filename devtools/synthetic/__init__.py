"""Synthetic load-test data: a meeting of its own (slug ``synthetic``) with many items,
follow-ups and progress updates, generated deterministically from a seed.

The generator builds plain rows (explicit ids, reserved up front) and hands them to a
sink: ``COPY`` on PostgreSQL, ``bulk_create`` elsewhere. Simple-history tables are not
written: synthetic rows have no history.

- ``spec``: what to generate, the delegations, the parameters of an existing seed;
- ``vocabulary``: the words, names and themes the rows are made of;
- ``sinks``: ``COPY`` or ``bulk_create``, and the reservation of primary keys;
- ``generator``: the rows themselves;
- ``seed`` and ``delete``: the two operations, each one transaction.
"""

from .delete import synthetic_delete
from .seed import analyze, synthetic_seed
from .spec import MEETING_SLUG, SyntheticSpec, delegation_catalogue, seeded_parameters
from .vocabulary import UN_MEMBER_STATES

__all__ = [
    "MEETING_SLUG",
    "UN_MEMBER_STATES",
    "SyntheticSpec",
    "analyze",
    "delegation_catalogue",
    "seeded_parameters",
    "synthetic_delete",
    "synthetic_seed",
]
