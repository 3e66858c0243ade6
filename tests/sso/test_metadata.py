"""The federation's aggregate: signature checked with xmlsec1, last good copy kept on failure."""

import socket
import threading
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from accounts.saml import config as saml_config
from accounts.saml import metadata
from tests.idp.saml import SamlIdp, make_key_pair, signed_aggregate


@pytest.fixture(scope="module")
def aggregates(tmp_path_factory):
    work = tmp_path_factory.mktemp("aggregates")
    idps = [
        SamlIdp("a", "Université de Valmont", "univ-valmont.fr", {}, work),
        SamlIdp("b", "Université Rhône-Alpine", "univ-ra.fr", {}, work),
    ]
    key, cert = make_key_pair(work, "federation")
    other_key, other_cert = make_key_pair(work, "intruder")
    good = signed_aggregate(idps, key, cert, work / "good.xml")
    forged = signed_aggregate(idps, other_key, other_cert, work / "forged.xml")
    expired = signed_aggregate(idps, key, cert, work / "expired.xml", valid_for=timedelta(days=-1))
    tampered = work / "tampered.xml"
    tampered.write_text(good.read_text().replace("Université de Valmont", "Université Pirate"))
    for idp in idps:
        idp.httpd.server_close()
    return {"good": good, "forged": forged, "expired": expired, "tampered": tampered, "cert": cert}


@pytest.fixture
def sp(tmp_path, aggregates):
    saml_config._cache.clear()
    with override_settings(
        SSO_SAML_DIR=tmp_path / "sp",
        SSO_SAML_METADATA_URL="",
        SSO_SAML_METADATA_FILE=str(aggregates["good"]),
        SSO_SAML_METADATA_CERT=aggregates["cert"],
        SSO_SAML_METADATA_TIMEOUT=1,
    ):
        yield aggregates
    saml_config._cache.clear()


def test_good_aggregate_is_cached_and_listed(sp, client, db):
    call_command("refresh_federation_metadata")
    assert metadata.cached_path().read_bytes() == sp["good"].read_bytes()
    response = client.get("/compte/federation/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Université de Valmont" in text and "Université Rhône-Alpine" in text
    # The no-JS filter: accents and case do not matter.
    filtered = client.get("/compte/federation/", {"q": "rhone"}).content.decode()
    assert "Université Rhône-Alpine" in filtered and "Université de Valmont" not in filtered
    nothing = client.get("/compte/federation/", {"q": "Sorbonne"}).content.decode()
    assert "Aucun établissement ne correspond" in nothing


@pytest.mark.parametrize("bad", ["forged", "tampered", "expired"])
def test_refused_aggregate_keeps_the_last_good_copy(sp, client, db, bad, caplog):
    call_command("refresh_federation_metadata")
    good_bytes = metadata.cached_path().read_bytes()
    with (
        override_settings(SSO_SAML_METADATA_FILE=str(sp[bad])),
        pytest.raises(CommandError, match="dernière copie valide reste utilisée"),
    ):
        call_command("refresh_federation_metadata")
    assert metadata.cached_path().read_bytes() == good_bytes
    assert "keeping the last good copy" in caplog.text
    assert metadata.read_status()["last_error"]
    # The site goes on with the last good copy.
    assert "Université de Valmont" in client.get("/compte/federation/").content.decode()


def test_unreachable_or_slow_federation_keeps_the_last_good_copy(sp, client, db):
    call_command("refresh_federation_metadata")
    good_bytes = metadata.cached_path().read_bytes()
    # Nothing listens on a port just freed; a server that accepts but never answers.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(5)
    stop = threading.Event()
    try:
        for url in (
            f"http://127.0.0.1:{closed_port}/metadata.xml",
            f"http://127.0.0.1:{silent.getsockname()[1]}/metadata.xml",
        ):
            with (
                override_settings(SSO_SAML_METADATA_URL=url),
                pytest.raises(metadata.MetadataError),
            ):
                metadata.refresh()
            assert metadata.cached_path().read_bytes() == good_bytes
    finally:
        stop.set()
        silent.close()
    assert client.get("/compte/federation/").status_code == 200


def test_no_aggregate_at_all_gives_a_french_page(tmp_path, client, db):
    saml_config._cache.clear()
    with override_settings(
        SSO_SAML_DIR=tmp_path / "empty", SSO_SAML_METADATA_URL="", SSO_SAML_METADATA_FILE=""
    ):
        response = client.get("/compte/federation/")
        assert response.status_code == 503
        assert "momentanément indisponible" in response.content.decode()
        response = client.get("/compte/federation/login/", {"idp": "https://idp.example.fr"})
        assert response.status_code == 503
    saml_config._cache.clear()


def test_sp_metadata_is_served_at_a_stable_url(sp, client, db):
    call_command("refresh_federation_metadata")
    response = client.get("/compte/federation/metadata/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "AssertionConsumerService" in body and "/compte/federation/acs/" in body
    assert "SingleLogoutService" in body and "eduPersonPrincipalName" in body
    assert "X509Certificate" in body


def test_unknown_idp_is_refused_in_french(sp, client, db):
    call_command("refresh_federation_metadata")
    response = client.get("/compte/federation/login/", {"idp": "https://pirate.example.org/idp"})
    assert response.status_code == 404
    assert "ne figure pas dans la fédération" in response.content.decode()
    assert "Choisir à nouveau votre établissement" in response.content.decode()
