"""The "exact_json" serialization format: Django's JSON, with times kept to the
microsecond. Registered in ``SERIALIZATION_MODULES``; backups are written with
``dumpdata --format exact_json`` and read back with ``loaddata`` of a ``.exact_json``
file (README.md, "Backup and restore").

Django's JSON encoder cuts datetimes to milliseconds (ECMA-262 style). A backup
made with it is not the database: two progress updates recorded within the same
millisecond would come back with equal ``created_at`` and could swap order, which
can change a follow-up's status. Reading is Django's own JSON deserializer, which
already accepts full precision; Django's "json" format itself is left as it is.
"""

import datetime

from django.core.serializers import json as django_json
from django.core.serializers.json import Deserializer  # noqa: F401  (part of the format)


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
