from django.http import Http404


def guide_pdf(request, guide):
    raise Http404
