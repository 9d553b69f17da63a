"""The exact_json format keeps times to the microsecond, and Django's json is left alone.
The whole backup round trip is in tests/system/test_reliability.py."""

import datetime

from django.contrib.auth.models import User
from django.core import serializers
from django.core.serializers import json as django_json

from lib import exact_json

JOINED = datetime.datetime(2024, 1, 31, 9, 30, 15, 123456, tzinfo=datetime.UTC)


def test_it_is_a_format_of_its_own_beside_djangos_json():
    assert serializers.get_serializer("exact_json") is exact_json.Serializer
    assert serializers.get_serializer("json") is django_json.Serializer


def test_it_writes_microseconds_that_djangos_json_cuts(db):
    user = User.objects.create_user("ada", date_joined=JOINED)

    assert '"2024-01-31T09:30:15.123456Z"' in serializers.serialize("exact_json", [user])
    assert '"2024-01-31T09:30:15.123Z"' in serializers.serialize("json", [user])


def test_it_reads_back_exactly_what_it_wrote(db):
    user = User.objects.create_user("ada", date_joined=JOINED)
    text = serializers.serialize("exact_json", [user])

    (restored,) = serializers.deserialize("exact_json", text)

    assert restored.object.date_joined == JOINED
