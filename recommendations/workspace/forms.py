"""The workspace's forms. They check what the services would refuse (a future date,
an invalid link), so that a person sees a message next to the field; the services
check it again, with who may write and the version, when saving."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..forms import _refuse_future
from ..models import Delegation, ProgressUpdate
from ..status import Status

NOTE_MAX_LENGTH = 5000

VISIBILITY_CHOICES = [
    (
        ProgressUpdate.Visibility.PUBLIC.value,
        _("Public: everyone can read the note and the evidence link"),
    ),
    (
        ProgressUpdate.Visibility.RESTRICTED.value,
        _(
            "Restricted: only the Secretariat and the delegation’s focal points can read "
            "them (the status stays public)"
        ),
    ),
]


class DateInput(forms.DateInput):
    """A browser date picker that offers no day after today."""

    input_type = "date"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["max"] = timezone.localdate().isoformat()
        return context


class UpdateFieldsForm(forms.Form):
    """The fields of one progress update, and the version of the follow-up the form
    was opened at (hidden; empty when the delegation had no follow-up yet)."""

    status = forms.ChoiceField(label=_("Status"), choices=Status.choices, widget=forms.RadioSelect)
    date = forms.DateField(
        label=_("Date of this update"),
        widget=DateInput(format="%Y-%m-%d"),
        help_text=_("The day the status was true. Today by default; never a later day."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What was done, decided or planned, in a few sentences."),
    )
    evidence_url = forms.URLField(
        label=_("Evidence link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("A web page or document that shows it, starting with https:// (optional)."),
    )
    visibility = forms.ChoiceField(
        label=_("Who can read the note and the evidence"),
        choices=VISIBILITY_CHOICES,
        initial=ProgressUpdate.Visibility.PUBLIC.value,
        widget=forms.RadioSelect,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def clean_date(self):
        return _refuse_future(self.cleaned_data.get("date"))

    def update_fields(self) -> dict:
        """The cleaned fields of the progress update, as the services take them."""
        data = self.cleaned_data
        return {
            name: data[name] for name in ("date", "status", "note", "evidence_url", "visibility")
        }


class ReportForm(UpdateFieldsForm):
    """A report on one item: a new progress update, and the follow-up's pledge and
    target date."""

    pledge = forms.CharField(
        label=_("Pledge"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What your delegation has pledged to do about this item, if anything."),
    )
    target_date = forms.DateField(
        label=_("Target date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_(
            "When it should be done. Left empty on a first report, it is the date of the "
            "meeting this one prepares."
        ),
    )

    def __init__(self, *args, item, **kwargs):
        follow_up = item.follow_up
        initial = {"date": timezone.localdate(), "visibility": ProgressUpdate.Visibility.PUBLIC}
        if follow_up is None:
            initial.update(target_date=item.meeting.target_date, status=Status.NOT_STARTED)
        else:
            initial.update(
                version=follow_up.version,
                # Before its first report a follow-up is "No report yet", no status to
                # report: the form proposes "Not started" then.
                status=follow_up.status
                if follow_up.status in Status.values
                else Status.NOT_STARTED,
                pledge=follow_up.pledge,
                target_date=follow_up.target_date,
            )
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)


class CorrectionForm(UpdateFieldsForm):
    """A correction of one progress update; the update's version is required."""

    def __init__(self, *args, update, **kwargs):
        initial = {
            "status": update.status,
            "date": update.date,
            "note": update.note,
            "evidence_url": update.evidence_url,
            "visibility": update.visibility,
            "version": update.version,
        }
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.fields["version"].required = True


class DelegationChoiceForm(forms.Form):
    """Secretariat staff choose whose workspace to open."""

    delegation = forms.ModelChoiceField(
        label=_("Delegation"),
        queryset=Delegation.objects.order_by("name"),
        to_field_name="code",
        empty_label=_("Choose a delegation"),
    )
