from kb.models.pages import (
    GuideIndexPage,
    GuidePage,
    GuidePageTag,
    HomePage,
    KnowledgePage,
    NoticeIndexPage,
    NoticePage,
    PracticePage,
    PracticePageTag,
    StandardPage,
)
from kb.models.snippets import Domain, Source

__all__ = [
    "Domain",
    "GuideIndexPage",
    "GuidePage",
    "GuidePageTag",
    "HomePage",
    "KnowledgePage",
    "NoticeIndexPage",
    "NoticePage",
    "PracticePage",
    "PracticePageTag",
    "Source",
    "StandardPage",
]
