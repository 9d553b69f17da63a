"""A restore (``loaddata``) that adds no history of its own.

loaddata saves rows "raw", and simple-history records nothing for a raw save, but it
then sets each many-to-many field (a recommendation's themes), which simple-history
would record as a change made now: a restore would add a history entry to every
recommendation. ``skip_history_for_raw_saves``, connected to ``post_save`` in
``RecommendationsConfig.ready()``, prevents that.
"""


def skip_history_for_raw_saves(sender, instance, raw=False, **kwargs):
    """After a raw save (loaddata), mark the loaded object so that simple-history
    ignores the many-to-many changes loaddata makes on it next. No query."""
    if raw:
        instance.skip_history_when_saving = True
