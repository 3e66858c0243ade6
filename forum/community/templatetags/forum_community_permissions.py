"""machina's ``get_permission`` tag without its cost: same name, arguments and checks.

machina's tag lists the permission handler's methods with ``inspect.getmembers`` on every call
(45 calls on a topic page for a signed-in reader) to check the method may be called from a
template. The list depends only on the handler's class, so it is computed once per class here.
Templates load this library in place of ``forum_permission_tags``.
"""

import inspect

from django import template
from machina.core.loading import get_class

PermissionHandler = get_class("forum_permission.handler", "PermissionHandler")

register = template.Library()

_public_methods = {}


def public_methods(handler_class):
    names = _public_methods.get(handler_class)
    if names is None:
        names = frozenset(
            name
            for name, _member in inspect.getmembers(handler_class, predicate=inspect.isfunction)
            if not name.startswith("_")
        )
        _public_methods[handler_class] = names
    return names


@register.simple_tag(takes_context=True)
def get_permission(context, method, *args, **kwargs):
    """``{% get_permission 'can_edit_post' post request.user as allowed %}``, as in machina."""
    request = context.get("request", None)
    handler = request.forum_permission_handler if request else PermissionHandler()
    allowed = public_methods(type(handler))
    if method not in allowed:
        raise template.TemplateSyntaxError(
            f"Only the following methods are allowed through this templatetag: {sorted(allowed)}"
        )
    return getattr(handler, method)(*args, **kwargs)
