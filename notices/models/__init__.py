"""Notices relayed from official bodies: sources and their feeds, the triage queue, the pages."""

from notices.models.pages import (
    AUDIENCES,
    Audience,
    NoticeIndexPage,
    NoticePage,
    NoticePageTag,
    NoticeRelatedPage,
    NoticeReviewPage,
)
from notices.models.sources import FeedEntry, Source, SourceFeed

__all__ = [
    "AUDIENCES",
    "Audience",
    "FeedEntry",
    "NoticeIndexPage",
    "NoticePage",
    "NoticePageTag",
    "NoticeRelatedPage",
    "NoticeReviewPage",
    "Source",
    "SourceFeed",
]
