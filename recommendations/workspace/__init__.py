"""The focal points' workspace: their delegation's items grouped by what each needs,
one form to report on an item, their history of updates, and for Secretariat staff
the same for any delegation plus the queue of self-reported updates to verify.

Reads live in ``selectors``, writes go through ``recommendations.services``, who may
do what is asked of ``recommendations.access``.
"""
