"""The "json" format of dumpdata/loaddata, keeping times to the microsecond, and a
restore that adds no history of its own.

Django's JSON encoder cuts datetimes to milliseconds (ECMA-262 style). A backup
made with it is not the database: two progress updates recorded within the same
millisecond would come back with equal ``created_at`` and could swap order, which
can change a follow-up's status. Registered in ``SERIALIZATION_MODULES`` as
"json", so the plain ``dumpdata`` command makes a lossless backup. Reading is
Django's own JSON deserializer, which already accepts full precision.

loaddata saves rows "raw", and simple-history records nothing for a raw save, but
it then sets each many-to-many field (a recommendation's themes), which
simple-history would record as a change made now: a restore would add a history
entry to every recommendation. ``skip_history_for_raw_saves`` prevents that. It is
connected when this module is imported, which Django does before it reads or
writes any fixture (it loads every format of SERIALIZATION_MODULES at once).
"""

import datetime

from django.core.serializers import json as django_json
from django.core.serializers.json import Deserializer  # noqa: F401  (part of the format)
from django.db.models.signals import post_save


class PreciseJSONEncoder(django_json.DjangoJSONEncoder):
    """DjangoJSONEncoder that writes datetimes and times in full (microseconds kept)."""

    def default(self, o):
        if isinstance(o, datetime.datetime):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        if isinstance(o, datetime.time) and o.utcoffset() is None:
            return o.isoformat()
        return super().default(o)


class Serializer(django_json.Serializer):
    def _init_options(self):
        super()._init_options()
        if self.json_kwargs["cls"] is django_json.DjangoJSONEncoder:
            self.json_kwargs["cls"] = PreciseJSONEncoder


def skip_history_for_raw_saves(sender, instance, raw=False, **kwargs):
    """After a raw save (loaddata), mark the loaded object so that simple-history
    ignores the many-to-many changes loaddata makes on it next. No query."""
    if raw:
        instance.skip_history_when_saving = True


post_save.connect(skip_history_for_raw_saves, dispatch_uid="ministerial_skip_history_for_raw")
