"""The items of a meeting: recommendations, commitments and observations."""

from __future__ import annotations

from django.conf import settings
from django.db import connection, models
from django.db.models import Count, OuterRef, Q, Subquery, TextField, Value
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..status import State
from .meetings import Meeting, Person, Session, Theme, real_meetings


class RecommendationQuerySet(models.QuerySet):
    def with_status_counts(self):
        """Annotate ``n_<status>`` for each status: how many delegations' follow-ups are
        in it (current status). One aggregate query joined to the follow-ups."""
        return self.annotate(
            **{
                f"n_{value}": Count("follow_ups", filter=Q(follow_ups__status=value))
                for value in State.values
            }
        )

    def with_translation(self):
        """Annotate ``translated_text``: the item's text in the active language where
        staff added one (``ItemTranslation``), else None. A subquery of the item's own
        query; none on an English page, the source's language."""
        language = get_language() or settings.LANGUAGE_CODE
        if language == settings.LANGUAGE_CODE:
            return self.annotate(translated_text=Value(None, output_field=TextField()))
        texts = ItemTranslation.objects.filter(recommendation=OuterRef("pk"), language=language)
        return self.annotate(translated_text=Subquery(texts.values("text")[:1]))

    def real(self):
        """Items of curated meetings (not the synthetic load-test meeting)."""
        return self.filter(real_meetings("meeting__"))

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


class ItemKind(models.TextChoices):
    RECOMMENDATION = "recommendation", _("Recommendation")
    COMMITMENT = "commitment", _("Commitment")
    OBSERVATION = "observation", _("Observation")


class Recommendation(models.Model):
    Kind = ItemKind

    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        related_name="recommendations",
        verbose_name=_("meeting"),
    )
    session = models.ForeignKey(
        Session,
        on_delete=models.PROTECT,
        related_name="recommendations",
        verbose_name=_("session"),
    )
    code = models.CharField(_("code"), max_length=40, unique=True)
    speaker = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recommendations",
        verbose_name=_("speaker"),
        help_text=_("Empty for the session panel's own conclusions."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.RECOMMENDATION)
    text = models.TextField(
        _("text"), help_text=_("One clear sentence stating the call for action.")
    )
    source_excerpt = models.TextField(
        _("source excerpt"), help_text=_("The verbatim sentence(s) of the source.")
    )
    themes = models.ManyToManyField(Theme, related_name="recommendations", verbose_name=_("themes"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    # Code, text, excerpt and speaker name in one column, so that one full-text
    # index (PostgreSQL) or one substring match (SQLite) serves the free-text search.
    search_document = models.TextField(_("search text"), blank=True, editable=False)
    # The item's place in reading order (meeting date, day, session, item, code) in one
    # indexed column, so a page of the list is read from an index instead of sorting
    # every match across three tables. See sort_key_for().
    sort_key = models.CharField(_("reading order"), max_length=80, blank=True, editable=False)

    history = HistoricalRecords(m2m_fields=[themes])
    objects = RecommendationQuerySet.as_manager()

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["sort_key"]
        indexes = [
            models.Index(fields=["sort_key"], name="rec_sort_key_idx"),
            models.Index(fields=["session", "order"], name="rec_session_order_idx"),
            models.Index(fields=["meeting", "kind"], name="rec_meeting_kind_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ItemKind.values),
                name="recommendation_kind_valid",
            ),
        ]

    def __str__(self):
        return self.code

    def save(self, *args, **kwargs):
        # Derived columns, kept next to the data they are derived from.
        self.search_document = self.build_search_document()
        self.sort_key = self.build_sort_key()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("recommendations:detail", args=[self.code])

    def build_sort_key(self) -> str:
        """The reading-order key (``sort_key_for``) from the meeting and session."""
        return sort_key_for(
            self.meeting.start_date, self.session.day, self.session.order, self.order, self.code
        )

    def build_search_document(self):
        speaker = self.speaker.name if self.speaker_id else ""
        return "\n".join([self.code, self.text, self.source_excerpt, speaker])


class ItemTranslation(models.Model):
    """An item's text in another language than the source's, added by Secretariat staff:
    shown on that language's pages marked as a translation, with the original one click
    away. The source excerpt is never translated: it is the Chair's Summary's own words."""

    recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.CASCADE,
        related_name="translations",
        verbose_name=_("item"),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=[(code, name) for code, name in settings.LANGUAGES if code != "en"],
    )
    text = models.TextField(_("translated text"))
    translated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        editable=False,
        related_name="+",
        verbose_name=_("translated by"),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("translation of an item")
        verbose_name_plural = _("translations of items")
        ordering = ["recommendation", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "language"], name="item_translation_unique"
            ),
        ]

    def __str__(self):
        return f"{self.recommendation} ({self.get_language_display()})"


def sort_key_for(start_date, day: int, session_order: int, order: int, code: str) -> str:
    """The reading-order key of an item: text that sorts like (meeting start date,
    session day, session order, item order, code)."""
    return f"{start_date:%Y%m%d}{day:02d}{session_order:03d}{order:05d}{code}"
