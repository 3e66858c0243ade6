"""« Mes abonnements » (/compte/abonnements/): everything a person follows, each with its rhythm,
changed or stopped with one form; the follow buttons of domains, guides and notice sources; and
the signed stop link of every email (no sign-in, one-click POST per RFC 8058)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from subscriptions import follows, tokens
from subscriptions.forms import FollowsForm
from subscriptions.models import Rhythm


def _private(response):
    patch_cache_control(response, private=True, no_store=True)
    add_never_cache_headers(response)
    return response


def _rows(request):
    """The page's rows and the objects behind them, with a fixed number of queries."""
    from forum.community.access import Forum, handler_for
    from forum.community.models import Subscription
    from kb.models import Domain, GuideIndexPage
    from notices.models import Audience, NoticeIndexPage

    user = request.user
    found = follows.user_follows(user)
    index = GuideIndexPage.objects.live().first()
    notice_index = NoticeIndexPage.objects.live().first()
    index_url = index.get_url(request) if index else None
    notices_url = notice_index.get_url(request) if notice_index else None
    rows, objects = [], {}

    def add(section, kind, obj, label, url, rhythm):
        name = f"{kind}-{obj.pk}"
        rows.append((section, name, label, url, rhythm))
        objects[name] = obj

    for domain in Domain.objects.all():
        rhythm = found["domain"].get(domain.pk, (None, Rhythm.NONE))[1]
        url = f"{index_url}domaine/{domain.slug}/" if index_url else None
        add(_("Domaines"), "domain", domain, domain.name, url, rhythm)
    restricted = follows.restricted_paths()
    for page, rhythm in sorted(found["page"].values(), key=lambda r: r[0].title.lower()):
        if follows.readable_page(page, restricted):
            add(_("Guides"), "page", page, page.title, page.get_url(request), rhythm)
    for source, rhythm in sorted(found["source"].values(), key=lambda r: r[0].name.lower()):
        url = f"{notices_url}?source={source.slug}" if notices_url else None
        add(_("Sources d'actualités"), "source", source, source.name, url, rhythm)
    for audience in Audience.objects.all():
        rhythm = found["audience"].get(audience.pk, (None, Rhythm.NONE))[1]
        add(_("Publics des actualités"), "audience", audience, audience.name, None, rhythm)
    readable = set(
        handler_for(request)
        .get_readable_forums(Forum.objects.all(), user)
        .values_list("id", flat=True)
    )
    subs = Subscription.objects.filter(user=user).select_related("topic__forum", "forum")
    for sub in subs.order_by("-created_at"):
        forum = sub.forum or sub.topic.forum
        if forum.pk not in readable:
            continue
        if sub.forum_id:
            url = reverse("forum:forum", kwargs={"slug": forum.slug, "pk": forum.pk})
            add(_("Forums"), "forum", sub, forum.name, url, sub.frequency)
        else:
            from forum.community.notifications import topic_url

            add(_("Sujets"), "topic", sub, sub.topic.subject, topic_url(sub.topic), sub.frequency)
    return rows, objects


def _save(user, form, objects):
    from forum.community.models import Subscription

    changed = 0
    for name, rhythm in form.changed().items():
        obj = objects[name]
        if isinstance(obj, Subscription):
            Subscription.objects.filter(pk=obj.pk, user=user).update(frequency=rhythm)
        else:
            follows.set_rhythm(user, obj, rhythm)
        changed += 1
    return changed


@login_required
def page(request):
    from forum.community.forms import MemberSettingsForm
    from forum.community.notifications import settings_for
    from outbox.models import RefusedAddress

    rows, objects = _rows(request)
    data = request.POST if request.method == "POST" else None
    form = FollowsForm(data, rows=rows)
    prefs = MemberSettingsForm(data, instance=settings_for(request.user), prefix="prefs")
    status = 200
    if request.method == "POST":
        if form.is_valid() and prefs.is_valid():
            _save(request.user, form, objects)
            prefs.instance.user = request.user
            prefs.save()
            messages.success(request, _("Vos abonnements sont enregistrés."))
            return _private(redirect("subscriptions:page"))
        status = 400
    refused = (
        RefusedAddress.objects.filter(email__iexact=request.user.email, refusals__gt=0).first()
        if request.user.email
        else None
    )
    response = render(
        request,
        "subscriptions/page.html",
        {"form": form, "prefs": prefs, "refused": refused},
        status=status,
    )
    return _private(response)


def _target(kind, pk):
    from wagtail.models import Page

    from kb.models import Domain
    from notices.models import Audience, Source

    model = {"domain": Domain, "source": Source, "audience": Audience, "page": Page}.get(kind)
    if model is None:
        raise Http404
    obj = get_object_or_404(model, pk=pk)
    if kind == "page":
        from kb.models import GuideIndexPage, GuidePage

        if not follows.readable_page(obj, follows.restricted_paths()):
            raise Http404
        if obj.specific_class not in (GuidePage, GuideIndexPage):
            raise Http404
    return obj


@login_required
@require_POST
def toggle(request, kind, pk):
    """The follow / unfollow button of a domain, a guide page, a notice source or an audience."""
    obj = _target(kind, pk)
    if request.POST.get("action") == "unfollow":
        follows.unfollow(request.user, obj)
        messages.success(request, _("Vous ne suivez plus « %(name)s ».") % {"name": obj})
    else:
        rhythm = request.POST.get("rhythm") or Rhythm.IMMEDIATE
        if rhythm not in Rhythm.values:
            messages.error(request, _("Choisissez un rythme dans la liste."))
        else:
            follows.set_rhythm(request.user, obj, rhythm)
            messages.success(request, _("Vous suivez « %(name)s ».") % {"name": obj})
    target = request.POST.get("next") or reverse("subscriptions:page")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("subscriptions:page")
    return _private(redirect(target))


@csrf_exempt  # the signed token is the credential; mail clients POST it (RFC 8058)
def stop(request, token):
    """Stop one subscription (or a whole digest) from an email, without signing in: GET asks and
    offers the button, POST (the button, or the mail client's one-click) does it."""
    try:
        data = tokens.read(token)
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return _private(render(request, "subscriptions/stop.html", {"invalid": True}, status=400))
    what = tokens.describe(data)
    if request.method == "POST":
        tokens.apply_stop(data)
        return _private(render(request, "subscriptions/stop.html", {"done": True, "what": what}))
    return _private(render(request, "subscriptions/stop.html", {"what": what, "token": token}))
