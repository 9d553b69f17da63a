"""The domain: meetings, who spoke there, what they recommended, and who follows it up.

A follow-up's ``status`` is a cache of its history: it always equals the status of
its latest ``ProgressUpdate`` (``not_started`` when it has none). Only
``services.follow_up_refresh_status`` writes it, inside the same transaction as the
change to the history, so the two cannot disagree.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import connection, models
from django.db.models import Count, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords


class Status(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


STATUS_VALUES = [s.value for s in Status]
# Statuses that still call for action: used by "overdue" and reminders.
OPEN_STATUSES = [Status.NOT_STARTED, Status.PLANNED, Status.IN_PROGRESS]


class MeetingQuerySet(models.QuerySet):
    def real(self):
        """Meetings holding curated data (not the synthetic load-test meeting)."""
        return self.filter(is_synthetic=False)


class Meeting(models.Model):
    class Kind(models.TextChoices):
        PREPARATORY = "preparatory", _("Preparatory meeting")
        MINISTERIAL = "ministerial", _("Ministerial")

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.PREPARATORY)
    city = models.CharField(max_length=100)
    country = CountryField()
    host_countries = CountryField(multiple=True, blank=True)
    start_date = models.DateField()
    end_date = models.DateField()
    theme = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    target_name = models.CharField(
        max_length=200, blank=True, help_text=_("The meeting this one prepares.")
    )
    target_date = models.DateField(null=True, blank=True)
    target_city = models.CharField(max_length=100, blank=True)
    source_url = models.URLField(blank=True)
    is_synthetic = models.BooleanField(
        default=False, help_text=_("Generated load-test data, never shown as real.")
    )

    objects = MeetingQuerySet.as_manager()

    class Meta:
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


class Delegation(models.Model):
    class Kind(models.TextChoices):
        MEMBER_STATE = "member_state", _("Member state")
        ORGANISATION = "organisation", _("Organisation")

    code = models.CharField(
        max_length=10,
        unique=True,
        help_text=_("ISO 3166 alpha-3 for member states, a short code for organisations."),
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.MEMBER_STATE)
    country = CountryField(blank=True)

    class Meta:
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
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    honorific = models.CharField(
        max_length=100, blank=True, help_text=_("Rank or honorific: H.E. Mr., Major General …")
    )
    title = models.CharField(max_length=300, blank=True, help_text=_("Role or title."))
    affiliation = models.CharField(max_length=300, blank=True)
    delegation = models.ForeignKey(
        Delegation, null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"

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

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participations")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="participations")
    role = models.CharField(max_length=20, choices=Role)
    session = models.ForeignKey(
        "Session", null=True, blank=True, on_delete=models.CASCADE, related_name="participations"
    )
    day = models.PositiveSmallIntegerField(null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    note = models.CharField(max_length=200, blank=True, help_text=_("e.g. by video message"))

    class Meta:
        ordering = ["meeting", "role", "day", "order"]

    def __str__(self):
        return f"{self.person} ({self.get_role_display()})"


class Session(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="sessions")
    day = models.PositiveSmallIntegerField()
    order = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=20)
    title = models.CharField(max_length=300)
    summary = models.TextField(blank=True)
    facilitator = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="facilitated"
    )

    class Meta:
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
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("recommendations:list") + f"?theme={self.slug}"


class RecommendationQuerySet(models.QuerySet):
    def with_status_counts(self):
        """Annotate ``n_<status>`` for each status: how many delegations' follow-ups are
        in it (current status). One aggregate query joined to the follow-ups."""
        return self.annotate(
            **{
                f"n_{value}": Count("follow_ups", filter=Q(follow_ups__status=value))
                for value in STATUS_VALUES
            }
        )

    def real(self):
        return self.filter(meeting__is_synthetic=False)

    def search(self, text: str):
        """Free-text search over code, text, source excerpt and speaker name.

        PostgreSQL: English full-text search served by ``rec_search_gin_idx``, with a
        ``rank`` annotation. Elsewhere: a case-insensitive substring match.
        """
        if connection.vendor == "postgresql":
            from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

            vector = SearchVector("search_document", config="english")
            query = SearchQuery(text, config="english", search_type="websearch")
            return (
                self.alias(search_vector=vector)
                .filter(search_vector=query)
                .annotate(rank=SearchRank(vector, query))
            )
        return self.filter(search_document__icontains=text)


class Recommendation(models.Model):
    class Kind(models.TextChoices):
        RECOMMENDATION = "recommendation", _("Recommendation")
        COMMITMENT = "commitment", _("Commitment")
        OBSERVATION = "observation", _("Observation")

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="recommendations")
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="recommendations")
    code = models.CharField(max_length=40, unique=True)
    speaker = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recommendations",
        help_text=_("Empty for the session panel's own conclusions."),
    )
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.RECOMMENDATION)
    text = models.TextField(help_text=_("One clear sentence stating the call for action."))
    source_excerpt = models.TextField(help_text=_("The verbatim sentence(s) of the source."))
    themes = models.ManyToManyField(Theme, related_name="recommendations")
    order = models.PositiveSmallIntegerField(default=0)
    # Code, text, excerpt and speaker name in one column, so that one full-text
    # index (PostgreSQL) or one substring match (SQLite) serves the free-text search.
    search_document = models.TextField(blank=True, editable=False)
    # The item's place in reading order (meeting date, day, session, item, code) in one
    # indexed column, so a page of the list is read from an index instead of sorting
    # every match across three tables. See sort_key_for().
    sort_key = models.CharField(max_length=80, blank=True, editable=False)

    history = HistoricalRecords(m2m_fields=[themes])
    objects = RecommendationQuerySet.as_manager()

    class Meta:
        ordering = ["sort_key"]
        indexes = [
            models.Index(fields=["sort_key"], name="rec_sort_key_idx"),
            models.Index(fields=["session", "order"], name="rec_session_order_idx"),
            models.Index(fields=["meeting", "kind"], name="rec_meeting_kind_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["recommendation", "commitment", "observation"]),
                name="recommendation_kind_valid",
            ),
        ]

    def __str__(self):
        return self.code

    def save(self, *args, **kwargs):
        # Derived columns, kept next to the data they are derived from.
        self.search_document = self.build_search_document()
        self.sort_key = sort_key_for(
            self.meeting.start_date, self.session.day, self.session.order, self.order, self.code
        )
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("recommendations:detail", args=[self.code])

    def build_search_document(self):
        speaker = self.speaker.name if self.speaker_id else ""
        return "\n".join([self.code, self.text, self.source_excerpt, speaker])


def sort_key_for(start_date, day: int, session_order: int, order: int, code: str) -> str:
    """The reading-order key of an item: text that sorts like (meeting start date,
    session day, session order, item order, code)."""
    return f"{start_date:%Y%m%d}{day:02d}{session_order:03d}{order:05d}{code}"


_NO_DEFAULT = object()


def latest_update_subquery(
    field: str, as_of: datetime.date | None = None, outer: str = "pk", default=_NO_DEFAULT
):
    """``field`` of the latest progress update (dated on or before ``as_of`` when given)
    of the follow-up ``OuterRef(outer)``: one correlated subquery served by
    ``pu_follow_up_latest_idx``. For ``status`` the default is ``not_started``."""
    latest = ProgressUpdate.objects.filter(follow_up=OuterRef(outer))
    if as_of is not None:
        latest = latest.filter(date__lte=as_of)
    value = Subquery(latest.order_by("-date", "-created_at", "-id").values(field)[:1])
    if default is _NO_DEFAULT:
        default = Status.NOT_STARTED.value if field == "status" else None
    if default is None:
        return value
    return Coalesce(value, Value(default))


def status_as_of_subquery(as_of: datetime.date, outer: str = "pk"):
    """The status in force at the end of ``as_of`` for the follow-up ``OuterRef(outer)``:
    the status of its latest progress update dated on or before that day."""
    return latest_update_subquery("status", as_of, outer)


class FollowUpQuerySet(models.QuerySet):
    def overdue(self, today: datetime.date | None = None):
        """Target date passed and still open (not completed, not applicable)."""
        return self.filter(self._overdue_condition(today))

    def not_overdue(self, today: datetime.date | None = None):
        return self.exclude(self._overdue_condition(today))

    @staticmethod
    def _overdue_condition(today: datetime.date | None) -> Q:
        today = today or datetime.date.today()
        return Q(target_date__lt=today, status__in=OPEN_STATUSES)

    def with_status_as_of(self, as_of: datetime.date):
        """Annotate ``status_as_of``: the status at the end of ``as_of`` (one subquery)."""
        return self.annotate(status_as_of=status_as_of_subquery(as_of))

    def for_user(self, user):
        """Follow-ups this user may change: all for Secretariat staff, their own
        delegation's for a focal point, none otherwise."""
        from .roles import user_delegation, user_is_secretariat

        if user_is_secretariat(user):
            return self
        delegation = user_delegation(user)
        if delegation is None:
            return self.none()
        return self.filter(delegation=delegation)


class FollowUp(models.Model):
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="follow_ups"
    )
    delegation = models.ForeignKey(Delegation, on_delete=models.PROTECT, related_name="follow_ups")
    status = models.CharField(
        max_length=20,
        choices=Status,
        default=Status.NOT_STARTED,
        editable=False,
        help_text=_("The status of the latest progress update."),
    )
    target_date = models.DateField(
        null=True, blank=True, help_text=_("Defaults to the date of the target meeting.")
    )
    pledge = models.TextField(blank=True, help_text=_("The pledge announced, if any."))
    lead = models.CharField(max_length=200, blank=True, help_text=_("Lead office or focal point."))
    last_update_date = models.DateField(null=True, blank=True, editable=False)
    is_illustrative = models.BooleanField(
        default=False,
        editable=False,
        help_text=_("Sample data for demonstration, never real reporting."),
    )
    # Optimistic lock: every save through services.follow_up_update bumps it, and a save
    # based on an older version is refused.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["recommendation__code", "delegation__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "delegation"], name="follow_up_unique_pair"
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "not_started",
                        "planned",
                        "in_progress",
                        "completed",
                        "not_applicable",
                    ]
                ),
                name="follow_up_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["delegation", "status"], name="fu_delegation_status_idx"),
            models.Index(fields=["status", "recommendation"], name="fu_status_rec_idx"),
            models.Index(fields=["target_date", "status"], name="fu_target_status_idx"),
            models.Index(fields=["last_update_date"], name="fu_last_update_idx"),
            models.Index(
                fields=["is_illustrative"],
                condition=Q(is_illustrative=True),
                name="fu_illustrative_idx",
            ),
        ]

    def __str__(self):
        return f"{self.recommendation.code} / {self.delegation.code}"

    def get_absolute_url(self):
        return reverse("recommendations:detail", args=[self.recommendation.code]) + (
            f"#follow-up-{self.delegation.code}"
        )

    @property
    def is_overdue(self):
        return bool(
            self.target_date
            and self.target_date < datetime.date.today()
            and self.status in OPEN_STATUSES
        )


class ProgressUpdateQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Updates whose note and evidence this user may read: public ones for
        everybody; restricted ones for Secretariat staff and the delegation's focal points."""
        from .roles import user_delegation, user_is_secretariat

        if user_is_secretariat(user):
            return self
        delegation = user_delegation(user)
        public = Q(visibility=ProgressUpdate.Visibility.PUBLIC)
        if delegation is None:
            return self.filter(public)
        return self.filter(public | Q(follow_up__delegation=delegation))

    def latest_first(self):
        return self.order_by("-date", "-created_at", "-id")


class ProgressUpdate(models.Model):
    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        RESTRICTED = "restricted", _("Restricted")

    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="updates")
    date = models.DateField()
    status = models.CharField(max_length=20, choices=Status)
    note = models.TextField(blank=True)
    evidence_url = models.URLField(max_length=500, blank=True)
    visibility = models.CharField(
        max_length=20,
        choices=Visibility,
        default=Visibility.PUBLIC,
        help_text=_(
            "Restricted notes and evidence are shown only to Secretariat staff and "
            "the delegation's focal points; the status stays public."
        ),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="progress_updates",
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="verified_updates",
        editable=False,
    )
    verified_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = ProgressUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["follow_up", "-date", "-created_at", "-id"], name="pu_follow_up_latest_idx"
            ),
            models.Index(fields=["date"], name="pu_date_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "not_started",
                        "planned",
                        "in_progress",
                        "completed",
                        "not_applicable",
                    ]
                ),
                name="progress_update_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(visibility__in=["public", "restricted"]),
                name="progress_update_visibility_valid",
            ),
        ]

    def __str__(self):
        return f"{self.follow_up} {self.date}: {self.get_status_display()}"

    @property
    def is_verified(self):
        return self.verified_at is not None


class FocalPoint(models.Model):
    """Links a user to the one delegation whose follow-ups they may edit."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="focal_point"
    )
    delegation = models.ForeignKey(
        Delegation, on_delete=models.CASCADE, related_name="focal_points"
    )

    class Meta:
        ordering = ["delegation__code", "user__username"]

    def __str__(self):
        return f"{self.user} ({self.delegation.code})"


class ReminderLog(models.Model):
    """One row per email item sent, so ``send_reminders`` never sends it twice a day."""

    class Kind(models.TextChoices):
        DIGEST = "digest", _("Focal point digest")
        WEEKLY = "weekly", _("Secretariat weekly summary")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders"
    )
    follow_up = models.ForeignKey(
        FollowUp, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(max_length=10, choices=Kind)
    date = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "follow_up", "kind", "date"],
                condition=Q(follow_up__isnull=False),
                name="reminder_item_once_a_day",
            ),
            models.UniqueConstraint(
                fields=["user", "kind", "date"],
                condition=Q(follow_up__isnull=True),
                name="reminder_summary_once_a_day",
            ),
        ]

    def __str__(self):
        return f"{self.kind} to {self.user} on {self.date}"
