"""The admin: where Secretariat staff and delegation focal points record follow-up.

Rules that hold on every path (lists, forms, inlines, actions, history pages, exports,
autocomplete), checked on the server:

- a delegation focal point sees, adds and changes only their own delegation's
  follow-ups and progress updates (``access``), reads
  recommendations, and deletes nothing;
- follow-ups and progress updates are written only through ``services``, so a
  follow-up's status always follows its latest progress update, every write leaves a
  history row naming its author, and a save based on a stale copy is refused;
- a list never counts more than ``LIST_COUNT_CAP`` rows (``CappedPaginator``), offers
  no select with thousands of options, and makes the same number of queries whatever
  its page size.

Split by entity: ``base`` (what every admin shares), ``filters``, ``reference``,
``recommendations``, ``follow_ups``, ``progress_updates`` (with ``imports``, the CSV
import), ``accounts``, ``translations`` (of items). Importing the package registers them all.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import accounts, follow_ups, progress_updates, recommendations, reference, translations
from .follow_ups import FollowUpAdmin
from .progress_updates import ProgressUpdateAdmin
from .recommendations import RecommendationAdmin

__all__ = [
    "FollowUpAdmin",
    "ProgressUpdateAdmin",
    "RecommendationAdmin",
    "accounts",
    "follow_ups",
    "progress_updates",
    "recommendations",
    "reference",
    "translations",
]

admin.site.site_header = _("Ministerial recommendations tracker")
admin.site.site_title = _("Recommendations tracker admin")
admin.site.index_title = _("Record and follow up")
