"""Helpers for admin tests: post back a change form the way a browser would."""

from __future__ import annotations

import datetime

from django.db.models import Model


def _encode(value):
    if isinstance(value, Model):
        return str(value.pk)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _add_form(data: dict, form) -> None:
    for name in form.fields:
        bound = form[name]
        value = bound.value()
        if value is None or value is False:
            continue
        if value is True:
            data[bound.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [_encode(v) for v in value]
        else:
            data[bound.html_name] = _encode(value)


def change_form_data(response) -> dict:
    """The data of the admin form (and its inline formsets) rendered in ``response``,
    unchanged: posting it back saves nothing new."""
    data: dict = {}
    _add_form(data, response.context["adminform"].form)
    inlines = response.context.get("inline_admin_formsets") or []
    for inline in inlines:
        formset = inline.formset
        _add_form(data, formset.management_form)
        for form in formset.forms:
            _add_form(data, form)
    return data


def inline_prefix(response, model_name: str) -> str:
    """The prefix of the inline formset of ``model_name`` in ``response``."""
    for inline in response.context["inline_admin_formsets"]:
        if inline.formset.model._meta.model_name == model_name:
            return inline.formset.prefix
    raise LookupError(model_name)


def extra_form_index(response, model_name: str) -> int:
    """The index of the first empty (extra) form of that inline."""
    for inline in response.context["inline_admin_formsets"]:
        if inline.formset.model._meta.model_name == model_name:
            return inline.formset.initial_form_count()
    raise LookupError(model_name)
