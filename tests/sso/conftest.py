"""A real federation on 127.0.0.1 for the single sign-on tests: two pysaml2 identity providers
(two establishments) in a signed aggregate made with xmlsec1, and node-oidc-provider for ProConnect.
Everything binds an ephemeral port and stops at the end of the module."""

import json
import select
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from django.core.cache import cache
from django.test import override_settings
from saml2.metadata import entity_descriptor

from accounts import roles
from accounts.models import Establishment
from accounts.saml import config as saml_config
from accounts.saml import metadata
from tests.idp.saml import SamlIdp, make_key_pair, signed_aggregate

OIDC_DIR = Path(__file__).resolve().parents[1] / "idp" / "oidc"

VALMONT = {"uai": "0759991A", "name": "Université de Valmont", "scope": "univ-valmont.fr"}
RHONE = {"uai": "0699992B", "name": "Université Rhône-Alpine", "scope": "univ-ra.fr"}


def saml_user(eppn, mail, given, sn, uai=None, affiliation=("staff", "member")):
    attributes = {
        "eduPersonPrincipalName": [eppn],
        "mail": [mail],
        "givenName": [given],
        "sn": [sn],
        "displayName": [f"{given} {sn}"],
        "eduPersonAffiliation": list(affiliation),
    }
    if uai:
        attributes["supannEtablissement"] = [f"{{UAI}}{uai}"]
    return attributes


@dataclass
class Federation:
    valmont: SamlIdp
    rhone: SamlIdp
    workdir: Path
    fed_key: str
    fed_cert: str
    aggregate: Path
    sp_dir: Path

    def reset(self):
        for idp in (self.valmont, self.rhone):
            idp.mode = None
            idp.last_post_html = None


@pytest.fixture(scope="module")
def federation(live_server, tmp_path_factory):
    work = tmp_path_factory.mktemp("federation")
    valmont = SamlIdp(
        "valmont",
        VALMONT["name"],
        VALMONT["scope"],
        {
            "camille": saml_user(
                "camille.martin@univ-valmont.fr",
                "camille.martin@univ-valmont.fr",
                "Camille",
                "Martin",
                uai=VALMONT["uai"],
            ),
            "lea": saml_user(
                "lea.etudiante@univ-valmont.fr",
                "lea.etudiante@etu.univ-valmont.fr",
                "Léa",
                "Petit",
                uai=VALMONT["uai"],
                affiliation=("student",),
            ),
            "sans-mail": {"eduPersonPrincipalName": ["anonyme@univ-valmont.fr"]},
        },
        work,
    ).start()
    rhone = SamlIdp(
        "rhone",
        RHONE["name"],
        RHONE["scope"],
        {
            "yanis": saml_user(
                "yanis.benali@univ-ra.fr", "yanis.benali@univ-ra.fr", "Yanis", "Benali"
            )
        },
        work,
    ).start()
    fed_key, fed_cert = make_key_pair(work, "federation")
    aggregate = signed_aggregate([valmont, rhone], fed_key, fed_cert, work / "aggregate.xml")
    sp_dir = work / "sp"
    overrides = override_settings(
        SSO_SAML_DIR=sp_dir,
        SSO_SAML_METADATA_URL="",
        SSO_SAML_METADATA_FILE=str(aggregate),
        SSO_SAML_METADATA_CERT=fed_cert,
        SSO_SAML_BASE_URL=live_server.url,
    )
    overrides.enable()
    saml_config._cache.clear()
    metadata.refresh()
    # The SP's metadata as /compte/federation/metadata/ serves it (built here: a module-scoped
    # fixture may not reach the database the live server would touch on SQLite).
    sp_metadata = entity_descriptor(saml_config.sp_config(None)).to_string().decode()
    for idp in (valmont, rhone):
        idp.trust_sp(sp_metadata)
    yield Federation(valmont, rhone, work, fed_key, fed_cert, aggregate, sp_dir)
    overrides.disable()
    saml_config._cache.clear()
    valmont.stop()
    rhone.stop()


@pytest.fixture
def fed(federation, transactional_db, site_tree):
    """The federation, reset, with both establishments known and the roles in place."""
    federation.reset()
    roles.ensure_roles()
    for data in (VALMONT, RHONE):
        Establishment.objects.get_or_create(
            uai=data["uai"],
            defaults={"name": data["name"], "saml_scopes": data["scope"]},
        )
    return federation


# --- ProConnect ---------------------------------------------------------------------------------

PROCONNECT_ACCOUNTS = {
    "agent": {
        "email": "alice.durand@education.gouv.fr",
        "given_name": "Alice",
        "usual_name": "Durand",
        "siret": "11004601800013",
        "uid": "alice-42",
    }
}


@dataclass
class OpenIdProvider:
    issuer: str
    process: subprocess.Popen

    def post(self, path, data):
        requests.post(self.issuer + path, json=data, timeout=5).raise_for_status()

    def set_mode(self, mode):
        self.post("/__test/mode", {"mode": mode})

    def set_accounts(self, accounts):
        self.post("/__test/accounts", {"accounts": accounts})


def _ensure_node_modules():
    if (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm absent : installez Node.js 20+ pour le fournisseur OpenID des tests.")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=OIDC_DIR, check=True)


@pytest.fixture(scope="module")
def oidc_provider(live_server):
    _ensure_node_modules()
    config = {
        "port": 0,
        "client_id": "passerelle-test",
        "client_secret": "secret-de-test-uniquement",
        "redirect_uris": [f"{live_server.url}/compte/proconnect/retour/"],
        "post_logout_redirect_uris": [f"{live_server.url}/"],
        "accounts": PROCONNECT_ACCOUNTS,
    }
    process = subprocess.Popen(
        ["node", str(OIDC_DIR / "provider.mjs"), json.dumps(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    deadline = time.monotonic() + 20
    issuer = None
    while time.monotonic() < deadline and issuer is None:
        ready, _, _ = select.select([process.stdout], [], [], 1)
        if ready:
            line = process.stdout.readline()
            if line.startswith("LISTENING "):
                issuer = line.split()[1]
            elif not line and process.poll() is not None:
                break
    if issuer is None:
        process.kill()
        pytest.fail("Le fournisseur OpenID de test n'a pas démarré.")
    overrides = override_settings(
        SSO_PROCONNECT_ISSUER=issuer,
        OIDC_RP_CLIENT_ID=config["client_id"],
        OIDC_RP_CLIENT_SECRET=config["client_secret"],
        SSO_PROCONNECT_POST_LOGOUT_URL=f"{live_server.url}/",
    )
    overrides.enable()
    yield OpenIdProvider(issuer, process)
    overrides.disable()
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def op(oidc_provider, transactional_db, site_tree):
    oidc_provider.set_mode("")
    oidc_provider.set_accounts(PROCONNECT_ACCOUNTS)
    cache.clear()
    roles.ensure_roles()
    return oidc_provider
