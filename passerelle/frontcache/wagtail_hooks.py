"""Tag every served Wagtail page (and its routes) for the front cache."""

from wagtail import hooks

from passerelle.frontcache.headers import add_tags


@hooks.register("before_serve_page")
def tag_served_page(page, request, serve_args, serve_kwargs):
    add_tags(request, f"page-{page.pk}", f"type-{page.specific_class._meta.model_name}")
