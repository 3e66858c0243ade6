from django import template

from passerelle.frontcache.headers import add_tags

register = template.Library()


@register.simple_tag(takes_context=True)
def cache_tag(context, *parts):
    """``{% cache_tag "banner-" notice.pk %}``: the page shows this, ban it when that changes."""
    request = context.get("request")
    if request is not None:
        add_tags(request, "".join(str(part) for part in parts))
    return ""
