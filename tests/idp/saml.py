"""Real SAML 2 identity providers (pysaml2's ``saml2.server.Server``) on 127.0.0.1, and a signed
metadata aggregate of them, for the tests and the demo federation (``make federation``).

Each ``SamlIdp`` is a small WSGI app served by ``wsgiref`` in a thread: HTTP-Redirect SSO and SLO
endpoints, a sign-in form listing its demo users, and the HTTP-POST response back to the SP.
``mode`` lets a test make it misbehave the way real IdPs do: ``"expired"`` (an assertion already
past its lifetime), ``"wrong_key"`` (signed with a key the aggregate does not name). Keys are made
at run time with openssl: nothing private is committed.
"""

import base64
import html
import subprocess
import threading
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import saml2
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_TRANSIENT
from saml2.server import Server

ATTRIBUTE_MAP_DIR = str(Path(__file__).resolve().parents[2] / "accounts" / "saml" / "attributemaps")
XMLSEC = "/usr/bin/xmlsec1"


def make_key_pair(folder, name):
    """A throw-away RSA key and self-signed certificate (openssl), as two PEM files."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    key, cert = folder / f"{name}-key.pem", folder / f"{name}-cert.pem"
    if not (key.exists() and cert.exists()):
        subprocess.run(
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256",
                "-days", "3650", "-subj", f"/CN={name}", "-keyout", str(key), "-out", str(cert),
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip
    return str(key), str(cert)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class _ThreadingServer(WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class SamlIdp:
    """One establishment's identity provider. ``users``: login -> attribute dict (lists)."""

    def __init__(self, slug, display_name, scope, users, workdir, port=0, host="localhost"):
        self.slug = slug
        self.display_name = display_name
        self.scope = scope
        self.users = users
        self.workdir = Path(workdir)
        self.mode = None
        self.last_post_html = None
        self.logouts = []
        self.httpd = make_server(
            "127.0.0.1", port, self.app, server_class=_ThreadingServer, handler_class=_QuietHandler
        )
        # "localhost" like the live server of the tests: the same site, so that the SAML cookie
        # (SameSite=Lax over plain HTTP) comes back with the POST to the ACS.
        self.url = f"http://{host}:{self.httpd.server_port}"
        self.entity_id = f"{self.url}/idp/metadata"
        self.key_file, self.cert_file = make_key_pair(self.workdir, f"idp-{slug}")
        self.rogue_key, self.rogue_cert = make_key_pair(self.workdir, f"rogue-{slug}")
        self.sp_metadata_path = self.workdir / f"sp-for-{slug}.xml"
        self._servers = {}
        self._thread = None

    # --- configuration --------------------------------------------------------------------------

    def config_dict(self, key_file=None, cert_file=None):
        conf = {
            "entityid": self.entity_id,
            "xmlsec_binary": XMLSEC,
            "attribute_map_dir": ATTRIBUTE_MAP_DIR,
            "service": {
                "idp": {
                    "name": self.display_name,
                    "endpoints": {
                        "single_sign_on_service": [
                            (f"{self.url}/sso/redirect", saml2.BINDING_HTTP_REDIRECT)
                        ],
                        "single_logout_service": [
                            (f"{self.url}/slo/redirect", saml2.BINDING_HTTP_REDIRECT)
                        ],
                    },
                    "policy": {
                        "default": {
                            "lifetime": {"minutes": 5},
                            "attribute_restrictions": None,
                            "name_form": NAME_FORMAT_URI,
                        }
                    },
                    "name_id_format": [NAMEID_FORMAT_TRANSIENT],
                    "sign_assertion": True,
                    "sign_response": False,
                    "ui_info": {"display_name": [{"text": self.display_name, "lang": "fr"}]},
                    "scope": [self.scope],
                }
            },
            "key_file": key_file or self.key_file,
            "cert_file": cert_file or self.cert_file,
            "organization": {
                "name": [(self.display_name, "fr")],
                "display_name": [(self.display_name, "fr")],
                "url": [(self.url, "fr")],
            },
        }
        if self.sp_metadata_path.exists():
            conf["metadata"] = {"local": [str(self.sp_metadata_path)]}
        return conf

    def entity_descriptor_xml(self):
        conf = IdPConfig()
        conf.load(self.config_dict())
        xml = entity_descriptor(conf).to_string().decode()
        return xml.split("?>", 1)[1] if xml.startswith("<?xml") else xml

    def trust_sp(self, sp_metadata_xml):
        """Load the SP's metadata (ACS, SLS, certificate) before serving."""
        self.sp_metadata_path.write_text(sp_metadata_xml)
        self._servers = {}

    def server(self, rogue=False):
        key = "rogue" if rogue else "good"
        if key not in self._servers:
            conf = IdPConfig()
            if rogue:
                conf.load(self.config_dict(self.rogue_key, self.rogue_cert))
            else:
                conf.load(self.config_dict())
            self._servers[key] = Server(config=conf)
        return self._servers[key]

    # --- lifecycle -------------------------------------------------------------------------------

    def start(self):
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    # --- WSGI ------------------------------------------------------------------------------------

    def app(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        try:
            if path == "/sso/redirect":
                return self._sso(environ, start_response)
            if path == "/sso/login" and environ["REQUEST_METHOD"] == "POST":
                return self._login(environ, start_response)
            if path == "/slo/redirect":
                return self._slo(environ, start_response)
            if path == "/replay":
                return self._html(start_response, self.last_post_html or "rien", "200 OK")
            if path == "/idp/metadata":
                body = self.entity_descriptor_xml()
                start_response("200 OK", [("Content-Type", "text/xml")])
                return [body.encode()]
        except Exception as exc:  # a test IdP answers its errors as text
            return self._html(start_response, f"IdP error: {html.escape(repr(exc))}", "500 Error")
        return self._html(start_response, "not found", "404 Not Found")

    def _html(self, start_response, body, status="200 OK"):
        page = f"<!doctype html><html lang='fr'><head><title>{self.display_name}</title></head><body>{body}</body></html>"
        start_response(status, [("Content-Type", "text/html; charset=utf-8")])
        return [page.encode()]

    def _sso(self, environ, start_response):
        query = parse_qs(environ.get("QUERY_STRING", ""))
        saml_request = query["SAMLRequest"][0]
        relay_state = query.get("RelayState", [""])[0]
        self.server().parse_authn_request(saml_request, saml2.BINDING_HTTP_REDIRECT)
        options = "".join(
            f"<option value='{html.escape(login)}'>{html.escape(login)}</option>"
            for login in self.users
        )
        body = (
            f"<h1>{html.escape(self.display_name)}</h1>"
            f"<form method='post' action='/sso/login'>"
            f"<input type='hidden' name='SAMLRequest' value='{html.escape(saml_request)}'>"
            f"<input type='hidden' name='RelayState' value='{html.escape(relay_state)}'>"
            f"<label for='login'>Identifiant</label> <select id='login' name='login'>{options}</select>"
            f"<button type='submit'>Se connecter à l'établissement</button></form>"
        )
        return self._html(start_response, body)

    def _login(self, environ, start_response):
        size = int(environ.get("CONTENT_LENGTH") or 0)
        form = parse_qs(environ["wsgi.input"].read(size).decode())
        login = form["login"][0]
        relay_state = form.get("RelayState", [""])[0]
        server = self.server(rogue=self.mode == "wrong_key")
        request = server.parse_authn_request(form["SAMLRequest"][0], saml2.BINDING_HTTP_REDIRECT)
        response_args = server.response_args(request.message, [saml2.BINDING_HTTP_POST])
        attributes = {k: list(v) for k, v in self.users[login].items()}
        extra = {}
        if self.mode == "expired":
            # An assertion that expired ten minutes ago, as a response replayed later would be.
            from saml2.assertion import Policy

            extra["release_policy"] = Policy(
                {"default": {"lifetime": {"minutes": -10}, "name_form": NAME_FORMAT_URI}},
                mds=server.metadata,
            )
        response = server.create_authn_response(
            identity=attributes,
            userid=login,
            authn={"class_ref": saml2.saml.AUTHN_PASSWORD_PROTECTED, "authn_auth": self.url},
            sign_assertion=True,
            sign_response=False,
            **response_args,
            **extra,
        )
        http_args = server.apply_binding(
            saml2.BINDING_HTTP_POST,
            str(response),
            response_args["destination"],
            relay_state,
            response=True,
        )
        self.last_post_html = http_args["data"]
        return self._html(start_response, http_args["data"])

    def _slo(self, environ, start_response):
        query = parse_qs(environ.get("QUERY_STRING", ""))
        server = self.server()
        request = server.parse_logout_request(query["SAMLRequest"][0], saml2.BINDING_HTTP_REDIRECT)
        self.logouts.append(str(request.message.name_id.text if request.message.name_id else ""))
        sp_entity_id = request.message.issuer.text
        binding, destination = server.pick_binding(
            "single_logout_service",
            [saml2.BINDING_HTTP_REDIRECT],
            "spsso",
            entity_id=sp_entity_id,
        )
        response = server.create_logout_response(request.message, [binding])
        relay_state = query.get("RelayState", [""])[0]
        http_args = server.apply_binding(
            binding,
            str(response),
            destination=destination,
            relay_state=relay_state,
            response=True,
            sp_entity_id=sp_entity_id,
        )
        location = dict(http_args["headers"])["Location"]
        start_response("302 Found", [("Location", location)])
        return [b""]


# --- The aggregate ------------------------------------------------------------------------------

SIGNATURE_TEMPLATE = (
    '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>'
    '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>'
    '<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>'
    '<ds:Reference URI="#{ident}"><ds:Transforms>'
    '<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>'
    '<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms>'
    '<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>'
    "<ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/>"
    "<ds:KeyInfo><ds:X509Data/></ds:KeyInfo></ds:Signature>"
)


def signed_aggregate(idps, key_file, cert_file, out_path, valid_for=timedelta(days=7)):
    """Write the federation's aggregate of ``idps``, signed with xmlsec1, to ``out_path``."""
    ident = f"fed-{uuid.uuid4().hex}"
    until = (datetime.now(UTC) + valid_for).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" ID="{ident}" '
        f'Name="urn:passerelle:test-federation" validUntil="{until}">'
        + SIGNATURE_TEMPLATE.format(ident=ident)
        + "".join(idp.entity_descriptor_xml() for idp in idps)
        + "</md:EntitiesDescriptor>"
    )
    out_path = Path(out_path)
    unsigned = out_path.with_suffix(".unsigned.xml")
    unsigned.write_text(body)
    subprocess.run(
        [
            XMLSEC, "--sign", "--privkey-pem", f"{key_file},{cert_file}",
            "--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:metadata:EntitiesDescriptor",
            "--output", str(out_path), str(unsigned),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    unsigned.unlink()
    return out_path


def b64(text):
    return base64.b64encode(text.encode()).decode()
