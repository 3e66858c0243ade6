"""What machina lacks: accepted answers, reports, a moderation log, email subscriptions,
per-forum approval rules and the link between a practice page and its discussion."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL


class TopicSolution(models.Model):
    """The reply accepted as the answer of a topic (one per topic)."""

    topic = models.OneToOneField(
        "forum_conversation.Topic",
        on_delete=models.CASCADE,
        related_name="solution",
        verbose_name=_("sujet"),
    )
    post = models.ForeignKey(
        "forum_conversation.Post",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("réponse acceptée"),
    )
    marked_by = models.ForeignKey(
        USER, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("par")
    )
    marked_at = models.DateTimeField(_("le"), auto_now_add=True)

    class Meta:
        verbose_name = _("solution")
        verbose_name_plural = _("solutions")

    def __str__(self):
        return f"{self.topic} → {self.post_id}"


class ModerationAction(models.Model):
    """One moderation action: who did what, on what, when and why. Never edited."""

    class Kind(models.TextChoices):
        HIDE = "hide", _("message masqué")
        SHOW = "show", _("message rétabli")
        EDIT = "edit", _("message modifié")
        DELETE = "delete", _("message supprimé")
        LOCK = "lock", _("sujet verrouillé")
        UNLOCK = "unlock", _("sujet déverrouillé")
        MOVE = "move", _("sujet déplacé")
        DELETE_TOPIC = "delete_topic", _("sujet supprimé")
        APPROVE = "approve", _("message approuvé")
        DISAPPROVE = "disapprove", _("message refusé")
        DISMISS = "dismiss", _("signalement classé sans suite")
        SOLUTION = "solution", _("solution choisie")
        UNSOLVE = "unsolve", _("solution retirée")
        PROMOTE = "promote", _("sujet transformé en bonne pratique")
        TYPE = "type", _("type de sujet changé")
        ASSIGN = "assign", _("sujet attribué")
        NO_ANSWER = "no_answer", _("sujet sans réponse nécessaire")

    actor = models.ForeignKey(
        USER, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("auteur")
    )
    kind = models.CharField(_("action"), max_length=20, choices=Kind.choices)
    forum = models.ForeignKey(
        "forum.Forum",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("forum"),
    )
    topic = models.ForeignKey(
        "forum_conversation.Topic",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("sujet"),
    )
    post = models.ForeignKey(
        "forum_conversation.Post",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("message"),
    )
    # What the action was about, kept readable after the topic or post is deleted.
    target = models.CharField(_("objet"), max_length=300, blank=True)
    note = models.TextField(_("motif"), blank=True)
    created_at = models.DateTimeField(_("date"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("action de modération")
        verbose_name_plural = _("journal de modération")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.target}"


class PostReport(models.Model):
    """A signed-in reader tells the moderators that a post breaks the rules."""

    class Status(models.TextChoices):
        OPEN = "open", _("ouvert")
        RESOLVED = "resolved", _("traité")
        DISMISSED = "dismissed", _("classé sans suite")

    class Reason(models.TextChoices):
        ABUSE = "abuse", _("Propos injurieux ou irrespectueux")
        PERSONAL_DATA = "personal_data", _("Données personnelles exposées")
        CONFIDENTIAL = "confidential", _("Information confidentielle ou sensible")
        SPAM = "spam", _("Publicité ou message hors sujet")
        WRONG = "wrong", _("Information erronée ou dangereuse")
        OTHER = "other", _("Autre")

    # Kept when the post is deleted: the report stays in the history, with its forum and excerpt.
    post = models.ForeignKey(
        "forum_conversation.Post",
        null=True,
        on_delete=models.SET_NULL,
        related_name="reports",
        verbose_name=_("message"),
    )
    forum = models.ForeignKey(
        "forum.Forum",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("forum"),
    )
    excerpt = models.TextField(_("extrait du message"), blank=True)
    reporter = models.ForeignKey(
        USER, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("signalé par")
    )
    reason = models.CharField(_("motif"), max_length=20, choices=Reason.choices)
    comment = models.TextField(_("précisions"), blank=True, max_length=2000)
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    created_at = models.DateTimeField(_("signalé le"), auto_now_add=True)
    resolved_by = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("traité par"),
    )
    resolved_at = models.DateTimeField(_("traité le"), null=True, blank=True)
    resolution_note = models.TextField(_("note de traitement"), blank=True)

    class Meta:
        verbose_name = _("signalement")
        verbose_name_plural = _("signalements")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open report per person and post: reporting twice changes nothing.
            models.UniqueConstraint(
                fields=["post", "reporter"],
                condition=Q(status="open"),
                name="forum_community_one_open_report_per_reporter",
            )
        ]

    def __str__(self):
        return f"{self.get_reason_display()} ({self.get_status_display()})"


class Subscription(models.Model):
    """A person follows a topic or a whole forum, by email now, daily, or not at all."""

    class Frequency(models.TextChoices):
        IMMEDIATE = "immediate", _("à chaque message")
        DAILY = "daily", _("résumé quotidien")
        WEEKLY = "weekly", _("résumé hebdomadaire")
        NONE = "none", _("aucun courriel")

    user = models.ForeignKey(
        USER, on_delete=models.CASCADE, related_name="forum_subscriptions", verbose_name=_("abonné")
    )
    topic = models.ForeignKey(
        "forum_conversation.Topic",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="email_subscriptions",
        verbose_name=_("sujet"),
    )
    forum = models.ForeignKey(
        "forum.Forum",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="email_subscriptions",
        verbose_name=_("forum"),
    )
    frequency = models.CharField(
        _("fréquence"), max_length=10, choices=Frequency.choices, default=Frequency.IMMEDIATE
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("abonnement")
        verbose_name_plural = _("abonnements")
        constraints = [
            models.CheckConstraint(
                condition=(Q(topic__isnull=False, forum__isnull=True))
                | (Q(topic__isnull=True, forum__isnull=False)),
                name="forum_community_subscription_topic_xor_forum",
            ),
            models.UniqueConstraint(
                fields=["user", "topic"],
                condition=Q(topic__isnull=False),
                name="forum_community_one_subscription_per_topic",
            ),
            models.UniqueConstraint(
                fields=["user", "forum"],
                condition=Q(forum__isnull=False),
                name="forum_community_one_subscription_per_forum",
            ),
        ]

    def __str__(self):
        return f"{self.user} → {self.topic or self.forum} ({self.frequency})"


class MemberSettings(models.Model):
    """A person's forum email preferences."""

    user = models.OneToOneField(
        USER, on_delete=models.CASCADE, related_name="forum_settings", verbose_name=_("personne")
    )
    auto_subscribe = models.BooleanField(
        _("m'abonner aux sujets que je crée ou auxquels je réponds"), default=True
    )
    notify_mentions = models.BooleanField(
        _("m'avertir par courriel quand on me mentionne (@identifiant)"), default=True
    )

    class Meta:
        verbose_name = _("préférences forum")
        verbose_name_plural = _("préférences forum")

    def __str__(self):
        return str(self.user)


class ForumPolicy(models.Model):
    """Per-forum rules machina does not have: hold posts of new accounts for approval."""

    forum = models.OneToOneField(
        "forum.Forum", on_delete=models.CASCADE, related_name="policy", verbose_name=_("forum")
    )
    hold_new_accounts = models.BooleanField(
        _("soumettre à validation les messages des nouveaux comptes"), default=False
    )
    new_account_days = models.PositiveSmallIntegerField(
        _("un compte est nouveau pendant (jours)"), default=7
    )

    class Meta:
        verbose_name = _("règle de forum")
        verbose_name_plural = _("règles de forum")

    def __str__(self):
        return str(self.forum)


class PracticeDiscussion(models.Model):
    """A practice page of the knowledge base and the forum topic where it is discussed."""

    page = models.OneToOneField(
        "kb.PracticePage",
        on_delete=models.CASCADE,
        related_name="discussion",
        verbose_name=_("bonne pratique"),
    )
    topic = models.OneToOneField(
        "forum_conversation.Topic",
        on_delete=models.CASCADE,
        related_name="practice_link",
        verbose_name=_("sujet"),
    )
    promoted = models.BooleanField(_("page créée à partir du sujet"), default=False)
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("discussion d'une bonne pratique")
        verbose_name_plural = _("discussions des bonnes pratiques")

    def __str__(self):
        return f"{self.page} ↔ {self.topic}"


class HiddenPost(models.Model):
    """A post a moderator hid (machina's ``approved=False``), told apart from a post held for
    approval so that it does not come back in the approval queue."""

    post = models.OneToOneField(
        "forum_conversation.Post",
        on_delete=models.CASCADE,
        related_name="hidden",
        verbose_name=_("message"),
    )
    hidden_by = models.ForeignKey(
        USER, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("masqué par")
    )
    hidden_at = models.DateTimeField(_("masqué le"), auto_now_add=True)
    note = models.TextField(_("motif"), blank=True)

    class Meta:
        verbose_name = _("message masqué")
        verbose_name_plural = _("messages masqués")

    def __str__(self):
        return str(self.post)


class TopicAssignment(models.Model):
    """Who answers an unanswered topic: an officer of its domain (chosen by a moderator, or by
    ``assign_unanswered_topics`` in turn), or a moderator's decision that no answer is needed.

    One per topic; reassigning changes it and leaves a line in the moderation log."""

    class State(models.TextChoices):
        ASSIGNED = "assigned", _("attribué")
        NO_ANSWER_NEEDED = "no_answer", _("aucune réponse nécessaire")

    topic = models.OneToOneField(
        "forum_conversation.Topic",
        on_delete=models.CASCADE,
        related_name="assignment",
        verbose_name=_("sujet"),
    )
    state = models.CharField(
        _("état"), max_length=10, choices=State.choices, default=State.ASSIGNED
    )
    officer = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="topic_assignments",
        verbose_name=_("chargé de domaine"),
    )
    automatic = models.BooleanField(_("attribution automatique"), default=False)
    assigned_by = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("attribué par"),
    )
    assigned_at = models.DateTimeField(_("le"), db_index=True)

    class Meta:
        verbose_name = _("attribution de sujet")
        verbose_name_plural = _("attributions de sujets")
        constraints = [
            models.CheckConstraint(
                condition=Q(state="no_answer") | Q(officer__isnull=False) | Q(automatic=False),
                name="forum_community_automatic_assignment_has_officer",
            )
        ]

    def __str__(self):
        return f"{self.topic} → {self.officer or self.get_state_display()}"
