import logging

from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils.text import slugify

from kb.export import PdfInProgress, PdfUnavailable, render_guide_pdf

logger = logging.getLogger(__name__)


def guide_pdf(request, guide):
    """``<guide>/pdf/``: the whole guide as a PDF download."""
    try:
        pdf = render_guide_pdf(guide, request)
    except PdfUnavailable:
        logger.exception("PDF export unavailable")
        return TemplateResponse(
            request, "kb/pdf_unavailable.html", {"page": guide, "self": guide}, status=503
        )
    except PdfInProgress:
        response = TemplateResponse(
            request,
            "kb/pdf_unavailable.html",
            {"page": guide, "self": guide, "in_progress": True},
            status=503,
        )
        response["Retry-After"] = "30"
        return response
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{slugify(guide.title)}.pdf"'
    return response
