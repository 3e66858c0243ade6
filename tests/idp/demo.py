"""`make federation`: a demo federation on 127.0.0.1 for `make run` (demo only, never production).

- http://127.0.0.1:8101: SAML IdP of the Université de Valmont (sends supannEtablissement)
- http://127.0.0.1:8102: SAML IdP of the Université Rhône-Alpine (matched by its ePPN scope)
- http://127.0.0.1:8103: an OpenID provider standing in for ProConnect (node-oidc-provider)

Keys, the signed aggregate and ``settings.json`` are written to ``var/demo-federation/``; the
development settings read that file when no federation or ProConnect variable is set, so `make run`
in another terminal offers both sign-ins. Ctrl-C stops everything.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

from tests.idp.saml import SamlIdp, make_key_pair, signed_aggregate  # noqa: E402

SP = os.environ.get("PASSERELLE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
VAR = Path(os.environ.get("PASSERELLE_VAR_DIR", ROOT / "var"))
DEMO = VAR / "demo-federation"
PORTS = {"valmont": 8101, "rhone": 8102, "oidc": 8103}
CLIENT_ID, CLIENT_SECRET = "passerelle-demo", "secret-de-demonstration"  # demo only


def attributes(eppn, mail, given, sn, affiliation, uai=None):
    values = {
        "eduPersonPrincipalName": [eppn],
        "mail": [mail],
        "givenName": [given],
        "sn": [sn],
        "displayName": [f"{given} {sn}"],
        "eduPersonAffiliation": affiliation,
    }
    if uai:
        values["supannEtablissement"] = [f"{{UAI}}{uai}"]
    return values


VALMONT_USERS = {
    "sophie": attributes(
        "sophie.bernard@univ-valmont.fr", "sophie.bernard@univ-valmont.fr", "Sophie", "Bernard",
        ["staff", "member"], uai="0759991A",
    ),
    "hugo": attributes(
        "hugo.lambert@univ-valmont.fr", "hugo.lambert@etu.univ-valmont.fr", "Hugo", "Lambert",
        ["student", "member"], uai="0759991A",
    ),
}  # fmt: skip
RHONE_USERS = {
    "ines": attributes(
        "ines.garnier@univ-ra.fr", "ines.garnier@univ-ra.fr", "Inès", "Garnier",
        ["faculty", "member"],
    ),
}  # fmt: skip
PROCONNECT_ACCOUNTS = {
    "agent": {
        "email": "julien.moreau@enseignementsup.gouv.fr",
        "given_name": "Julien",
        "usual_name": "Moreau",
        "siret": "11004601800013",
        "uid": "julien-moreau",
    }
}


def main():
    DEMO.mkdir(parents=True, exist_ok=True)
    valmont = SamlIdp(
        "valmont", "Université de Valmont", "univ-valmont.fr", VALMONT_USERS, DEMO,
        port=PORTS["valmont"], host="127.0.0.1",
    )  # fmt: skip
    rhone = SamlIdp(
        "rhone", "Université Rhône-Alpine", "univ-ra.fr", RHONE_USERS, DEMO,
        port=PORTS["rhone"], host="127.0.0.1",
    )  # fmt: skip
    fed_key, fed_cert = make_key_pair(DEMO, "federation")
    aggregate = signed_aggregate([valmont, rhone], fed_key, fed_cert, DEMO / "metadata.xml")
    issuer = f"http://127.0.0.1:{PORTS['oidc']}"
    (DEMO / "settings.json").write_text(
        json.dumps(
            {
                "SSO_SAML_METADATA_FILE": str(aggregate),
                "SSO_SAML_METADATA_CERT": fed_cert,
                "SSO_SAML_BASE_URL": SP,
                "SSO_PROCONNECT_ISSUER": issuer,
                "OIDC_RP_CLIENT_ID": CLIENT_ID,
                "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
            },
            indent=2,
        )
    )

    import django

    django.setup()
    from saml2.metadata import entity_descriptor

    from accounts.models import Establishment
    from accounts.saml import metadata
    from accounts.saml.config import sp_config

    metadata.refresh()
    Establishment.objects.filter(uai="0699992B").update(saml_scopes="univ-ra.fr")
    sp_metadata = entity_descriptor(sp_config(None)).to_string().decode()
    for idp in (valmont, rhone):
        idp.trust_sp(sp_metadata)
        idp.start()

    provider = subprocess.Popen(
        [
            "node",
            str(ROOT / "tests" / "idp" / "oidc" / "provider.mjs"),
            json.dumps(
                {
                    "port": PORTS["oidc"],
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                    "redirect_uris": [f"{SP}/compte/proconnect/retour/"],
                    "post_logout_redirect_uris": [f"{SP}/"],
                    "accounts": PROCONNECT_ACCOUNTS,
                }
            ),
        ],
        stderr=subprocess.DEVNULL,
    )
    print(
        f"""
  Fédération de démonstration (ne jamais utiliser en production)
    IdP Université de Valmont   {valmont.url}   comptes : sophie (personnel), hugo (étudiant)
    IdP Université Rhône-Alpine {rhone.url}   compte : ines (enseignante)
    ProConnect (démonstration)  {issuer}   compte : agent (tout mot de passe)
  Lancez « make run » dans un autre terminal, puis {SP}/compte/connexion/
  Ctrl-C pour arrêter.
""",
        flush=True,
    )
    stopping = []
    signal.signal(signal.SIGTERM, lambda *args: stopping.append(True))
    try:
        while not stopping and provider.poll() is None:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        provider.terminate()
        for idp in (valmont, rhone):
            idp.stop()


if __name__ == "__main__":
    main()
