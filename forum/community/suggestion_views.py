"""The similar-topics suggestions of the new-topic form, as an HTML fragment that the form's
script (``static/js/topic-suggestions.js``) puts in its live region while the person types the
title. Without JavaScript they come as a confirmation step (``forum_conversation.views``)."""

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from forum.community.suggestions import similar
from search.forms import MAX_QUERY_LENGTH


@never_cache
@require_GET
def topic_suggestions(request):
    title = request.GET.get("titre", "")[: MAX_QUERY_LENGTH * 2]
    return render(
        request,
        "forum_community/includes/topic_suggestions_list.html",
        {"suggestions": similar(title, request.user), "live": True},
    )
