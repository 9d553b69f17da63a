"""Forms of the admin. They validate what the services would refuse, so that a
person sees a message next to the field instead of an error page, and the
follow-up form carries the version it was loaded at (optimistic lock)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import access
from .models import FocalPoint, FollowUp, ItemTranslation, ProgressUpdate, Recommendation
from .status import Status, refuse_future

# The fields of a follow-up that services.follow_up_update may change.
FOLLOW_UP_EDITABLE = ("target_date", "pledge", "lead")
# The fields of a progress update a person enters.
UPDATE_FIELDS = ("date", "status", "visibility", "note", "evidence_url")

STALE_MESSAGE = _(
    "Someone else changed this follow-up since you opened it, so your changes were not "
    "saved. Reload the page to see the latest version, then make your change again "
    "(copy what you typed first)."
)


def _refuse_future(date):
    try:
        refuse_future(date)
    except ValidationError as error:
        raise forms.ValidationError(error.message_dict["date"], code="future") from error
    return date


class RecommendationAdminForm(forms.ModelForm):
    class Meta:
        model = Recommendation
        fields = [
            "meeting",
            "session",
            "code",
            "order",
            "kind",
            "speaker",
            "text",
            "source_excerpt",
            "themes",
        ]

    def clean(self):
        cleaned = super().clean()
        meeting, session = cleaned.get("meeting"), cleaned.get("session")
        if meeting and session and session.meeting_id != meeting.pk:
            self.add_error(
                "session",
                _("This session belongs to another meeting: %(meeting)s.")
                % {"meeting": session.meeting},
            )
        return cleaned


class VersionedForm(forms.ModelForm):
    """Carries ``version`` (hidden): the version of the row (a follow-up, a progress
    update) when the form was opened. A save based on an older version is refused in
    ``clean()`` with ``STALE_MESSAGE``, the form shown again with what was typed; the
    service refuses it again under a row lock, for the race between the two."""

    version = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=1, max_value=2**31 - 1
    )
    # False for an inline row: it is checked only when edited, since a row shown
    # read-only (to a focal point) posts no version.
    check_unchanged = True
    stale_message = STALE_MESSAGE

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.fields["version"].required = self.check_unchanged

    def clean(self):
        cleaned = super().clean()
        checked = self.check_unchanged or self.has_changed()
        if self.instance.pk and checked and cleaned.get("version") != self.instance.version:
            # self.instance was read from the database at the start of this request.
            raise forms.ValidationError(self.stale_message, code="stale")
        return cleaned


class ItemTranslationAdminForm(VersionedForm):
    stale_message = _(
        "Someone else changed this translation since you opened it, so your changes were "
        "not saved. Reload the page to see the latest version, then make your change again "
        "(copy what you typed first)."
    )

    class Meta:
        model = ItemTranslation
        fields = ["recommendation", "language", "text"]
        # dir="auto": the text reads in its own direction, Arabic right to left.
        widgets = {"text": forms.Textarea(attrs={"rows": 4, "dir": "auto"})}


class FollowUpAdminForm(VersionedForm):
    class Meta:
        model = FollowUp
        fields = ["recommendation", "delegation", *FOLLOW_UP_EDITABLE]
        widgets = {
            "pledge": forms.Textarea(attrs={"rows": 3}),
        }

    @property
    def edited_fields(self) -> list[str]:
        """The editable fields whose value differs from the one loaded."""
        return [name for name in self.changed_data if name in FOLLOW_UP_EDITABLE]


class ProgressUpdateAdminForm(VersionedForm):
    class Meta:
        model = ProgressUpdate
        fields = ["follow_up", *UPDATE_FIELDS]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "date" in self.fields and not self.instance.pk:
            self.fields["date"].initial = timezone.localdate

    def clean_date(self):
        return _refuse_future(self.cleaned_data.get("date"))


class ProgressUpdateInlineForm(ProgressUpdateAdminForm):
    check_unchanged = False

    class Meta(ProgressUpdateAdminForm.Meta):
        fields = list(UPDATE_FIELDS)
        widgets = {
            "note": forms.Textarea(attrs={"rows": 2, "cols": 40}),
            "evidence_url": forms.URLInput(attrs={"size": 30}),
        }


class SetStatusForm(forms.Form):
    """The second step of the bulk "set status" action."""

    # No status is preselected: the one applied to every selected follow-up is chosen.
    status = forms.ChoiceField(
        label=_("New status"), choices=[("", _("Choose a status…")), *Status.choices]
    )
    date = forms.DateField(
        label=_("Date of the update"),
        initial=timezone.localdate,
        # A date input takes ISO dates only, whatever the language's date format.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Recorded on every progress update this creates."),
    )

    def clean_date(self):
        return _refuse_future(self.cleaned_data.get("date"))


class FocalPointAdminForm(forms.ModelForm):
    """Links an existing focal-point account to its delegation. Accounts themselves
    are created by superusers or ``manage.py add_focal_point``."""

    class Meta:
        model = FocalPoint
        fields = ["user", "delegation"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "user" in self.fields:
            self.fields["user"].queryset = get_user_model().objects.filter(
                access.focal_point_accounts()
            )
            self.fields["user"].help_text = _(
                "A staff account in the “Delegation focal points” group. Create one "
                "with “manage.py add_focal_point USERNAME DELEGATION_CODE”."
            )

    def clean_user(self):
        user = self.cleaned_data.get("user")
        if user is not None and access.is_secretariat(user):
            raise forms.ValidationError(
                _("Secretariat staff already see every delegation; use a separate account."),
                code="secretariat",
            )
        return user
