"""Form fields of the list filters that show choices in words: a choice among rows of
the database shown by name and sent by code (``ListedChoiceField``), and options
labelled with how many results each would give (``label_with_counts``)."""

from __future__ import annotations

from django import forms
from django.utils.choices import BaseChoiceIterator
from django.utils.formats import number_format
from django.utils.translation import gettext


class ListedChoices(BaseChoiceIterator):
    """The options of a ``ListedChoiceField``: read when first iterated, then kept, so
    that validating, naming and rendering the choice cost one query together."""

    def __init__(self, read):
        self.read = read
        self.options = None

    def __iter__(self):
        if self.options is None:
            self.options = list(self.read())
        return iter(self.options)


class ListedChoiceField(forms.ChoiceField):
    """A choice among rows of the database: each option's value is the row's code
    (``key``), its label the row's name (``label_of``), grouped by ``group_of`` when the
    rows fall in more than one group. A value is matched in any case (``normalize``).

    The rows are read once per form, when it first validates a value, names it or
    renders the options: one query. Cleans to the code, or with ``to_row`` to the row.
    """

    def __init__(
        self,
        *,
        queryset,
        key,
        label_of,
        empty_label,
        group_of=None,
        normalize=str.upper,
        to_row=False,
        **kwargs,
    ):
        self.queryset, self.key, self.label_of = queryset, key, label_of
        self.group_of, self.normalize, self.to_row = group_of, normalize, to_row
        self.empty_label = empty_label
        self.rows: dict[str, object] = {}
        super().__init__(**kwargs)
        self.choices = ListedChoices(self._read)

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        result.rows = {}
        result.choices = ListedChoices(result._read)  # each form reads its own
        return result

    def _read(self):
        rows = list(self.queryset.all())
        for row in rows:
            self.rows.setdefault(self.key(row), row)
        options = [(self.key(row), self.label_of(row)) for row in rows]
        groups = {self.group_of(row) for row in rows} if self.group_of else set()
        if len(groups) > 1:
            grouped: dict[str, list] = {}
            for row, option in zip(rows, options, strict=True):
                grouped.setdefault(self.group_of(row), []).append(option)
            options = list(grouped.items())
        return [("", self.empty_label), *options]

    def to_python(self, value):
        value = super().to_python(value).strip()
        return self.normalize(value) if value else ""

    def bound_data(self, data, initial):
        # The option shown as chosen is the one the value matches (``pak`` shows
        # Pakistan), so the choice survives the next submission of the form.
        return self.to_python(data)

    def clean(self, value):
        code = super().clean(value)
        if not code:
            return None
        return self.rows[code] if self.to_row else code

    def label_for(self, value) -> str:
        """The name of a cleaned value (the form has read the rows: no query)."""
        code = self.key(value) if self.to_row else value
        return str(self.label_of(self.rows[code]))


def with_counts(choices, counts: dict[str, int]) -> list:
    """``choices`` (optgroups too) with each label followed by its count
    ("Medical capacity (12)"); the empty choice as it is. No query."""
    result = []
    for value, label in choices:
        if isinstance(label, list | tuple):
            result.append((value, with_counts(label, counts)))
        elif str(value) == "":
            result.append((value, label))
        else:
            n = number_format(counts.get(str(value), 0), force_grouping=True)
            result.append((value, gettext("%(label)s (%(count)s)") % {"label": label, "count": n}))
    return result


def label_with_counts(form, counts: dict[str, dict[str, int]]) -> None:
    """Label the options of each field named in ``counts`` with how many results each
    would give. Only the widgets change: validation and the active filters keep the
    plain names. Reads the options it labels (the themes: the query their rendering
    would make; the sessions: already read or one query)."""
    for name, by_value in counts.items():
        if name in form.fields:
            field = form.fields[name]
            field.widget.choices = with_counts(field.choices, by_value)
