"""Meetings and who took part: meetings, sessions, people, their roles, delegations
and themes."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


def real_meetings(path: str = "") -> Q:
    """The condition that keeps curated data and leaves out the synthetic load-test
    meeting, for a model whose meeting is reached through ``path`` (``""`` for meetings
    themselves, ``"meeting__"`` for items and sessions, ``"recommendation__meeting__"``
    for follow-ups). No query."""
    return Q(**{f"{path}is_synthetic": False})


class MeetingQuerySet(models.QuerySet):
    def real(self):
        """Meetings holding curated data (not the synthetic load-test meeting)."""
        return self.filter(real_meetings())


class Meeting(models.Model):
    class Kind(models.TextChoices):
        PREPARATORY = "preparatory", _("Preparatory meeting")
        MINISTERIAL = "ministerial", _("Ministerial")

    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.PREPARATORY)
    city = models.CharField(_("city"), max_length=100)
    country = CountryField(_("country"))
    host_countries = CountryField(_("host countries"), multiple=True, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    theme = models.CharField(_("subject"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    target_name = models.CharField(
        _("target Ministerial"),
        max_length=200,
        blank=True,
        help_text=_("The meeting this one prepares."),
    )
    target_date = models.DateField(_("target date"), null=True, blank=True)
    target_city = models.CharField(_("target city"), max_length=100, blank=True)
    source_url = models.URLField(_("source link"), blank=True)
    is_synthetic = models.BooleanField(
        _("load-test data"),
        default=False,
        help_text=_("Generated load-test data, never shown as real."),
    )

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["start_date", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="meeting_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("recommendations:list") + f"?meeting={self.slug}"


class DelegationQuerySet(models.QuerySet):
    def on_roster(self):
        """The delegations taking part in the follow-up."""
        return self.filter(on_roster=True)


class Delegation(models.Model):
    class Kind(models.TextChoices):
        MEMBER_STATE = "member_state", _("Member state")
        ORGANISATION = "organisation", _("Organisation")

    code = models.CharField(
        _("code"),
        max_length=10,
        unique=True,
        help_text=_("ISO 3166 alpha-3 for member states, a short code for organisations."),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.MEMBER_STATE)
    country = CountryField(_("country"), blank=True)
    on_roster = models.BooleanField(
        _("takes part in the follow-up"),
        default=True,
        help_text=_(
            "Delegations on the roster have a follow-up of every item, shown as "
            "“No report yet” until they report."
        ),
    )

    objects = DelegationQuerySet.as_manager()

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z0-9]{2,10}$"),
                name="delegation_code_upper",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("recommendations:delegation", args=[self.code])


class Person(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    honorific = models.CharField(
        _("honorific"),
        max_length=100,
        blank=True,
        help_text=_("Rank or honorific: H.E. Mr., Major General …"),
    )
    title = models.CharField(_("title"), max_length=300, blank=True, help_text=_("Role or title."))
    affiliation = models.CharField(_("affiliation"), max_length=300, blank=True)
    delegation = models.ForeignKey(
        Delegation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
        verbose_name=_("delegation"),
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def display_name(self):
        return f"{self.honorific} {self.name}".strip()


class Participation(models.Model):
    """A person's role at a meeting: keynote speaker, facilitator or panellist."""

    class Role(models.TextChoices):
        KEYNOTE = "keynote", _("Keynote speaker")
        DAY_FACILITATOR = "day_facilitator", _("Day facilitator")
        FACILITATOR = "facilitator", _("Session facilitator")
        PANELLIST = "panellist", _("Panellist")

    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.CASCADE,
        related_name="participations",
        verbose_name=_("meeting"),
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="participations",
        verbose_name=_("person"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role)
    session = models.ForeignKey(
        "Session",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="participations",
        verbose_name=_("session"),
    )
    day = models.PositiveSmallIntegerField(_("day"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    note = models.CharField(
        _("note"), max_length=200, blank=True, help_text=_("e.g. by video message")
    )

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        ordering = ["meeting", "role", "day", "order"]

    def __str__(self):
        return f"{self.person} ({self.get_role_display()})"


class Session(models.Model):
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("meeting")
    )
    day = models.PositiveSmallIntegerField(_("day"))
    order = models.PositiveSmallIntegerField(_("order"))
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    facilitator = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="facilitated",
        verbose_name=_("facilitator"),
    )

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["meeting__start_date", "day", "order"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "code"], name="session_code_unique"),
            models.UniqueConstraint(
                fields=["meeting", "day", "order"], name="session_position_unique"
            ),
            models.CheckConstraint(condition=Q(day__gte=1), name="session_day_positive"),
        ]

    def __str__(self):
        return f"{self.code} – {self.title}"

    def get_absolute_url(self):
        return reverse("recommendations:list") + f"?meeting={self.meeting.slug}&session={self.code}"


class Theme(models.Model):
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("recommendations:list") + f"?theme={self.slug}"
