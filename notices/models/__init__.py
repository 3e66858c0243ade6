"""Notices relayed from official bodies: sources and their feeds, the triage queue, the pages."""

from notices.models.pages import (
    AUDIENCES,
    Audience,
    NoticeIndexPage,
    NoticePage,
    NoticeRelatedPage,
)
from notices.models.sources import FeedEntry, Source, SourceFeed

__all__ = [
    "AUDIENCES",
    "Audience",
    "FeedEntry",
    "NoticeIndexPage",
    "NoticePage",
    "NoticeRelatedPage",
    "Source",
    "SourceFeed",
]
