from kb.models.experiences import ExperienceSubmission
from kb.models.feedback import PageFeedback
from kb.models.history import PageUpdate
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
from kb.models.reviews import ReviewRequest
from kb.models.snippets import Domain

__all__ = [
    "Domain",
    "ExperienceSubmission",
    "GuideIndexPage",
    "GuidePage",
    "GuidePageTag",
    "HomePage",
    "KnowledgePage",
    "PageFeedback",
    "PageUpdate",
    "PracticePage",
    "PracticePageTag",
    "ReviewRequest",
    "StandardPage",
]
