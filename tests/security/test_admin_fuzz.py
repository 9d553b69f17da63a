"""Every admin, every list filter, every action and every add form, fed values that
break naive parsing (a NUL byte, numbers beyond 64 bits, control characters), as
Secretariat staff and as a focal point: never a 5xx, never a write.

The lists come from ``admin.site._registry`` and each changelist's own filters, so a
new admin or filter is fuzzed without being listed here."""

from __future__ import annotations

import datetime

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.views.main import ORDER_VAR, PAGE_VAR, SEARCH_VAR
from django.test import Client
from django.urls import reverse

from recommendations import services
from recommendations.models import ProgressUpdate, Status
from tests.system.test_fuzz import row_counts

BIG = "9" * 25
NASTY = ["\x00", BIG, "-" + BIG, "1\x1f", "2023-02-30", "x" * 3000]
FORGED_SELECTIONS = [BIG, "-" + BIG, "\x00", "abc", "1.5", ""]
REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def _url(model, view):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}")


@pytest.fixture
def world(follow_up, jpn, make_focal_point, pak, secretariat_user):
    """Some rows in the main tables, and a client for each kind of admin user."""
    focal = make_focal_point(pak)
    services.progress_update_create(
        follow_up=follow_up,
        date=datetime.date(2023, 9, 1),
        status=Status.PLANNED,
        note="Restricted",
        visibility=ProgressUpdate.Visibility.RESTRICTED,
        author=focal,
    )
    clients = {}
    for name, user in (("staff", secretariat_user), ("focal point", focal)):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        clients[name] = client
    return clients


def _parameters(model_admin) -> list[str]:
    """The query parameters the changelist reads: each list filter's (a field's lookups,
    a SimpleListFilter's parameter), plus search, order and page."""
    names = [SEARCH_VAR, ORDER_VAR, PAGE_VAR, "id__exact", "pk__in"]
    for entry in model_admin.list_filter:
        field = entry[0] if isinstance(entry, tuple) else entry
        if isinstance(field, str):
            lookups = ("", "__exact", "__id__exact", "__isnull", "__in", "__gte", "__lt")
            names += [field + lookup for lookup in lookups]
        else:
            names.append(field.parameter_name)
    return names


@pytest.mark.parametrize(
    ("model", "model_admin"), REGISTERED, ids=lambda v: getattr(v, "__name__", "")
)
def test_no_list_filter_value_gives_a_5xx(model, model_admin, world):
    before = row_counts()
    failures = []
    for who, client in world.items():
        for name in _parameters(model_admin):
            for value in NASTY:
                response = client.get(_url(model, "changelist"), {name: value})
                if response.status_code >= 500:
                    failures.append((who, name, value[:30], response.status_code))
    assert failures == []
    assert row_counts() == before


@pytest.mark.parametrize(
    ("model", "model_admin"), REGISTERED, ids=lambda v: getattr(v, "__name__", "")
)
def test_no_forged_selection_for_an_action_gives_a_5xx(model, model_admin, world):
    before = row_counts()
    failures = []
    for who, client in world.items():
        response = client.get(_url(model, "changelist"))
        if response.status_code != 200:
            continue
        form = response.context["action_form"]  # None when the user may run no action
        actions = [name for name, _label in form.fields["action"].choices if name] if form else []
        for action in actions:
            for value in FORGED_SELECTIONS:
                response = client.post(
                    _url(model, "changelist"),
                    {"action": action, ACTION_CHECKBOX_NAME: [value], "index": "0"},
                )
                if response.status_code >= 500:
                    failures.append((who, action, value[:30], response.status_code))
    assert failures == []
    assert row_counts() == before


@pytest.mark.parametrize(
    ("model", "model_admin"), REGISTERED, ids=lambda v: getattr(v, "__name__", "")
)
def test_no_add_form_value_gives_a_5xx(model, model_admin, world):
    before = row_counts()
    failures = []
    for who, client in world.items():
        page = client.get(_url(model, "add"))
        if page.status_code != 200:
            continue
        assert page.context["adminform"] is not None, (who, model)
        fields = list(page.context["adminform"].form.fields)
        assert fields, "the add form has fields"
        for value in NASTY:
            response = client.post(_url(model, "add"), dict.fromkeys(fields, value))
            if response.status_code >= 500:
                failures.append((who, value[:30], response.status_code))
    assert failures == []
    assert row_counts() == before


def test_a_forged_selection_beyond_64_bits_is_explained_not_refused(world, follow_up):
    response = world["staff"].post(
        _url(type(follow_up), "changelist"),
        {"action": "set_status", ACTION_CHECKBOX_NAME: [BIG], "index": "0"},
        follow=True,
    )
    assert response.status_code == 200
    assert "The selection was not understood" in response.content.decode()


def test_a_nul_byte_in_a_filter_is_a_bad_request(world, follow_up):
    response = world["staff"].get(_url(type(follow_up), "changelist"), {"status__exact": "\x00"})
    assert response.status_code == 400
