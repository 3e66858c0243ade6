"""Authentication backend of the federation: a checked SAML assertion -> accounts.identity."""

import logging

from djangosaml2.backends import Saml2Backend

from accounts import identity
from accounts.saml.config import sp_config

logger = logging.getLogger("passerelle.sso")


def declared_scopes(request, entity_id):
    """The shibmd:Scope values the aggregate declares for this IdP; None when it declares none."""
    store = sp_config(request).metadata
    scopes = [
        scope["text"]
        for scope in store.shibmd_scopes(entity_id, typ="idpsso_descriptor")
        if not scope["regexp"]
    ]
    return scopes or None


class FederationBackend(Saml2Backend):
    """djangosaml2's backend, with the account logic of accounts.identity instead of its own.

    pysaml2 has checked the signature, audience, lifetime and InResponseTo before this is called.
    A refusal is kept on the request (``request.sso_error``) because Django's ``authenticate``
    turns exceptions into a bare ``None``; the ACS view shows it.
    """

    def authenticate(self, request, session_info=None, **kwargs):
        if session_info is None or request is None:
            return None
        issuer = session_info.get("issuer") or ""
        attributes = session_info.get("ava") or {}
        try:
            person = identity.identity_from_saml(
                attributes, issuer, allowed_scopes=declared_scopes(request, issuer)
            )
            user = identity.sign_in(person)
        except identity.IdentityError as exc:
            if exc.code == "missing_attribute":
                logger.warning("SAML: IdP %s sent %s", issuer, sorted(attributes))
            request.sso_error = exc
            return None
        request.session["passerelle_sso"] = "saml"
        return user
