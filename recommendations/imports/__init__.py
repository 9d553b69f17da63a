"""Reading a CSV file of progress updates and planning its import, row by row, before
anything is written (the preview). ``services.progress_updates_import`` applies a plan.

Columns, by header name, in any order (others are ignored): ``code``, ``delegation``,
``status``, ``date``, ``note``, ``evidence_url`` and optionally ``visibility``. A file
exported from ``/follow-ups/export.csv`` and edited in a spreadsheet imports as it is:
``last_update_date`` stands for ``date`` and ``last_update_note`` for ``note`` when those
are missing, the leading ' that the export puts before a formula is taken off, a
byte-order mark and ``;`` as separator (European Excel) are accepted, and dates may be
YYYY-MM-DD or DD/MM/YYYY.

What each row does:

- ``new``: records a progress update (the follow-up's status follows it when it is the
  latest). With no date, the update is dated today.
- ``new_follow_up``: the delegation does not follow the item yet; the follow-up is
  created, then the update recorded.
- ``duplicate``: the same update (follow-up, date, status, and the note and evidence
  when the file has those columns) is already recorded, or is earlier in the file.
  Skipped: importing a file twice adds nothing.
- ``unchanged``: no date, and the status, note and evidence say nothing new (typically
  a row of an exported file that was not edited). Skipped.
- ``error``: one or more errors, each shown with the line number. A file with any
  error is refused whole.

Visibility: a row's ``visibility`` value decides. A row without one that repeats the
note or evidence of an update already recorded for the follow-up (or earlier in the
file) keeps that update's visibility, restricted if any of them is restricted; only a
new note takes the visibility chosen on the upload form. So an exported file edited
and imported back never publishes a restricted note.

A focal point may import only rows for their own delegation: a row for another one is
an error, so the whole file is refused. Staff may import for any delegation.

Split in two: ``reading`` (the file's bytes to cells: encoding, dialect, headers, dates,
statuses) and ``plan`` (what each row would do, checked against the database).
"""

from .plan import (
    DUPLICATE,
    ERROR,
    ERRORS_KEPT,
    NEW,
    NEW_FOLLOW_UP,
    PREVIEW_SYNC_LINES,
    ROWS_KEPT,
    UNCHANGED,
    WRITES,
    ImportPlan,
    PlanRow,
    build_plan,
    iter_plan,
    kept_visibility,
)
from .reading import (
    MAX_BYTES,
    ImportFileError,
    decode,
    iter_records,
    parse_date,
    parse_status,
    read_records,
    unneutralise,
)

__all__ = [
    "DUPLICATE",
    "ERROR",
    "ERRORS_KEPT",
    "MAX_BYTES",
    "NEW",
    "NEW_FOLLOW_UP",
    "PREVIEW_SYNC_LINES",
    "ROWS_KEPT",
    "UNCHANGED",
    "WRITES",
    "ImportFileError",
    "ImportPlan",
    "PlanRow",
    "build_plan",
    "decode",
    "iter_plan",
    "iter_records",
    "kept_visibility",
    "parse_date",
    "parse_status",
    "read_records",
    "unneutralise",
]
