"""accounts/identity.py: what a checked assertion does to accounts, and ProConnect being down."""

import socket

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import override_settings

from accounts import identity, roles
from accounts.models import Establishment, FederatedIdentity, Profile
from tests import factories
from tests.test_accessibility import outline

User = get_user_model()
ISSUER = "https://idp.univ-valmont.fr/idp/shibboleth"


@pytest.fixture
def valmont(db):
    return Establishment.objects.create(
        name="Université de Valmont",
        uai="0759991A",
        email_domains="univ-valmont.fr",
        saml_scopes="univ-valmont.fr, valmont.fr",
    )


def attrs(**extra):
    base = {
        "eduPersonPrincipalName": ["camille@univ-valmont.fr"],
        "mail": ["camille.martin@univ-valmont.fr"],
        "givenName": ["Camille"],
        "sn": ["Martin"],
        "eduPersonAffiliation": ["staff", "member"],
    }
    base.update(extra)
    return base


def test_establishment_by_uai_then_by_scope(valmont):
    other = Establishment.objects.create(name="Autre", uai="0699992B")
    by_uai = identity.identity_from_saml(attrs(supannEtablissement=["{UAI}0699992B"]), ISSUER)
    assert by_uai.establishment == other
    by_scope = identity.identity_from_saml(attrs(), ISSUER)
    assert by_scope.establishment == valmont
    with pytest.raises(identity.IdentityError) as refused:
        identity.identity_from_saml(
            attrs(eduPersonPrincipalName=["x@inconnu.example"], mail=["x@inconnu.example"]), ISSUER
        )
    assert refused.value.code == "unknown_establishment"
    assert "pas encore inscrit" in str(refused.value.message)


def test_principal_name_outside_the_idp_scopes_is_refused(valmont):
    with pytest.raises(identity.IdentityError) as refused:
        identity.identity_from_saml(attrs(), ISSUER, allowed_scopes=["autre-univ.fr"])
    assert refused.value.code == "missing_attribute"
    assert identity.identity_from_saml(attrs(), ISSUER, allowed_scopes=["univ-valmont.fr"])


@pytest.mark.parametrize("missing", ["eduPersonPrincipalName", "mail"])
def test_missing_attribute_names_it(valmont, missing):
    with pytest.raises(identity.IdentityError) as refused:
        identity.identity_from_saml(attrs(**{missing: []}), ISSUER)
    assert missing in str(refused.value.message)


def test_affiliation_decides_posting_and_other_roles_are_kept(valmont):
    roles.ensure_roles()
    user = identity.sign_in(identity.identity_from_saml(attrs(), ISSUER))
    assert user.groups.filter(name=roles.STAFF).exists()
    assert Profile.objects.get(user=user).establishment == valmont
    # Now a student only: the staff role goes...
    identity.sign_in(identity.identity_from_saml(attrs(eduPersonAffiliation=["student"]), ISSUER))
    assert not user.groups.filter(name=roles.STAFF).exists()
    # ...unless the person holds another role given by hand.
    user.groups.add(roles.Group.objects.get(name=roles.EDITOR))
    identity.sign_in(identity.identity_from_saml(attrs(), ISSUER))
    identity.sign_in(identity.identity_from_saml(attrs(eduPersonAffiliation=["student"]), ISSUER))
    assert user.groups.filter(name=roles.STAFF).exists()
    assert User.objects.count() == 1


def test_an_address_the_idp_cannot_vouch_for_is_never_linked(valmont):
    victim = factories.make_user(roles.EDITOR, email="claire@ministere.gouv.fr")
    person = identity.identity_from_saml(attrs(mail=["claire@ministere.gouv.fr"]), ISSUER)
    with pytest.raises(identity.IdentityError) as refused:
        identity.sign_in(person)
    assert refused.value.code == "email_taken"
    assert not FederatedIdentity.objects.exists()
    assert User.objects.get() == victim  # nothing half-created


def test_email_change_onto_someone_elses_address_changes_nothing(valmont):
    user = identity.sign_in(identity.identity_from_saml(attrs(), ISSUER))
    factories.make_user(None, email="autre@univ-valmont.fr")
    with pytest.raises(identity.IdentityError):
        identity.sign_in(identity.identity_from_saml(attrs(mail=["autre@univ-valmont.fr"]), ISSUER))
    user.refresh_from_db()
    assert user.email == "camille.martin@univ-valmont.fr"


def test_inactive_account_is_refused(valmont):
    user = identity.sign_in(identity.identity_from_saml(attrs(), ISSUER))
    User.objects.filter(pk=user.pk).update(is_active=False)
    with pytest.raises(identity.IdentityError) as refused:
        identity.sign_in(identity.identity_from_saml(attrs(), ISSUER))
    assert refused.value.code == "inactive"


def test_sign_in_page_shows_both_buttons_accessibly(client, site_tree):
    page = client.get("/compte/connexion/").content.decode()
    assert "Compte de mon établissement" in page and "S'identifier avec ProConnect" in page
    parsed = outline(page)
    assert parsed.headings.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(parsed.headings, parsed.headings[1:], strict=False))


def test_proconnect_not_configured_down_or_slow(client, db):
    cache.clear()
    assert (
        "pas proposée sur ce site" in client.get("/compte/proconnect/connexion/").content.decode()
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(5)
    try:
        for port in (closed, silent.getsockname()[1]):
            with override_settings(
                SSO_PROCONNECT_ISSUER=f"http://127.0.0.1:{port}",
                OIDC_RP_CLIENT_ID="passerelle",
                OIDC_TIMEOUT=1,
            ):
                response = client.get("/compte/proconnect/connexion/")
            assert response.status_code == 503
            assert "ProConnect ne répond pas" in response.content.decode()
    finally:
        silent.close()
    # A callback that comes with no sign-in started is refused in French, not a 500.
    response = client.get("/compte/proconnect/retour/", {"code": "x", "state": "y"})
    assert response.status_code == 400
    assert "a expiré ou a déjà été utilisée" in response.content.decode()


def test_administrators_see_the_federated_identities(valmont, client_for, administrator, editor):
    identity.sign_in(identity.identity_from_saml(attrs(), ISSUER))
    url = "/django-admin/accounts/federatedidentity/"
    response = client_for(administrator).get(url)
    assert response.status_code == 200
    assert "camille@univ-valmont.fr" in response.content.decode()
    assert client_for(editor).get(url).status_code == 302
    assert client_for(None).get(url).status_code == 302
