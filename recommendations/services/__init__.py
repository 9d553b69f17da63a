"""Every write, with its rules. The admin, the pages, the importer and the management
commands call these and add no rule of their own:

- who may write is asked of ``access``; a refused write raises ``PermissionError`` and
  writes nothing;
- each function takes the fields it may set as explicit keywords, nothing else;
- a change based on a stale copy of a follow-up is refused (``StaleEditError``), checked
  under a row lock; every change to a follow-up or its history bumps its version;
- no progress update is dated in the future; staff entries are verified at entry, and a
  verified update is changed by staff only;
- every write that touches several rows is one transaction, locks its follow-ups by
  id ascending before their updates, and is run again if the database aborts it as a
  collision with another writer (``conflicts``: ``BusyError`` when it keeps failing).

A follow-up's status follows its history by itself (database triggers, see ``models``).
"""

from .conflicts import BusyError, retry_on_collision
from .follow_ups import StaleEditError, check_version, follow_up_create, follow_up_update
from .imports import (
    ImportResult,
    import_job_plan,
    import_job_run,
    progress_updates_import,
    progress_updates_import_rows,
)
from .progress_updates import (
    follow_ups_set_status,
    progress_update_change,
    progress_update_create,
    progress_update_delete,
    progress_update_verify,
    progress_updates_delete,
    progress_updates_verify,
)
from .reference import (
    item_translation_save,
    recommendation_save,
    recommendations_rebuild_derived_fields,
    reference_save,
)
from .roster import delegation_save, delegations_set_roster, roster_fill

__all__ = [
    "BusyError",
    "ImportResult",
    "StaleEditError",
    "check_version",
    "delegation_save",
    "delegations_set_roster",
    "follow_up_create",
    "follow_up_update",
    "follow_ups_set_status",
    "import_job_plan",
    "import_job_run",
    "item_translation_save",
    "progress_update_change",
    "progress_update_create",
    "progress_update_delete",
    "progress_update_verify",
    "progress_updates_delete",
    "progress_updates_import",
    "progress_updates_import_rows",
    "progress_updates_verify",
    "retry_on_collision",
    "recommendation_save",
    "recommendations_rebuild_derived_fields",
    "reference_save",
    "roster_fill",
]
