"""Sign-in through the research and education identity federation (SAML 2, djangosaml2/pysaml2).

- ``metadata``: the federation's signed aggregate: fetched, checked, cached, last good copy.
- ``config``: the service provider's pysaml2 configuration (djangosaml2's ``SAML_CONFIG_LOADER``).
- ``backend``: the authentication backend: checked assertion -> ``accounts.identity.sign_in``.
- ``views``: the discovery page, and djangosaml2's views with French error pages.
"""
