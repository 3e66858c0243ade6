"""The front cache (Varnish) and what it relies on: cache headers, tags, purges, the CSRF token.

- ``headers.CacheHeadersMiddleware`` says on every response what a shared cache may keep:
  ``public, max-age=0, s-maxage=N`` for anonymous readers of public pages (guides, notices,
  listings, feeds, forum, search), ``private, no-store`` for everything else, and tags the public
  ones (``X-Cache-Tags``) so that a change can ban exactly the pages that show it.
- ``purge`` turns a change (page published, moved, deleted; forum post written, edited, moved,
  moderated; urgent banner) into one PURGE per URL through Wagtail's frontend cache module and one
  BAN of tags, after commit, never failing the request when Varnish is down.
- ``views.csrf_token`` hands the CSRF token to a form when the person starts to write, so that the
  pages themselves set no cookie and stay cacheable.
"""
