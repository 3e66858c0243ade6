from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from taggit.models import Tag

from kb.models import Domain, GuidePage, PracticePage


def _pages(**filters):
    pages = []
    for model in (GuidePage, PracticePage):
        pages += list(
            model.objects.live().public().filter(**filters).distinct().select_related("domain")
        )
    return sorted(pages, key=lambda p: p.title.lower())


def domain_listing(request, index, slug):
    from forum.community.assignment import first_answer_stats

    domain = get_object_or_404(Domain, slug=slug)
    return TemplateResponse(
        request,
        "kb/listing.html",
        {
            "page": index,
            "self": index,
            "heading": _("Domaine : %(name)s") % {"name": domain.name},
            "description": domain.description,
            "domain": domain,
            "items": _pages(domain=domain),
            "first_answer": first_answer_stats(domain),
        },
    )


def tag_listing(request, index, slug):
    tag = get_object_or_404(Tag, slug=slug)
    return TemplateResponse(
        request,
        "kb/listing.html",
        {
            "page": index,
            "self": index,
            "heading": _("Mot-clé : %(name)s") % {"name": tag.name},
            "items": _pages(tags__slug=tag.slug),
        },
    )
