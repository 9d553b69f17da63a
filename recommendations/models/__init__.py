"""The domain: meetings, who spoke there, what they recommended, and who follows it up.

A follow-up's ``status`` and ``last_update_date`` are kept by the database: triggers on
the progress-update table (migration 0005) set them from the latest update
(``status.LATEST_FIRST``) on every insert, change and delete, whatever path wrote it
(services, the ORM, ``loaddata``, raw SQL), so the two can never disagree.
"""

from ..status import Status
from .accounts import FocalPoint, ReminderLog
from .follow_ups import FollowUp, ProgressUpdate, Visibility
from .imports import ImportJob
from .items import ItemKind, ItemTranslation, Recommendation, sort_key_for
from .meetings import Delegation, Meeting, Participation, Person, Session, Theme, real_meetings

__all__ = [
    "Delegation",
    "FocalPoint",
    "FollowUp",
    "ImportJob",
    "ItemKind",
    "ItemTranslation",
    "Meeting",
    "Participation",
    "Person",
    "ProgressUpdate",
    "Recommendation",
    "ReminderLog",
    "Session",
    "Status",
    "Theme",
    "Visibility",
    "real_meetings",
    "sort_key_for",
]
