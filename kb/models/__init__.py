from kb.models.pages import (
    GuideIndexPage,
    GuidePage,
    GuidePageTag,
    HomePage,
    KnowledgePage,
    PracticePage,
    PracticePageTag,
    StandardPage,
)
from kb.models.snippets import Domain

__all__ = [
    "Domain",
    "GuideIndexPage",
    "GuidePage",
    "GuidePageTag",
    "HomePage",
    "KnowledgePage",
    "PracticePage",
    "PracticePageTag",
    "StandardPage",
]
