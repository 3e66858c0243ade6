"""The service provider's pysaml2 configuration, built per request host and cached per process.

djangosaml2 calls ``sp_config(request)`` (``SAML_CONFIG_LOADER``) on every SAML request; parsing an
aggregate of hundreds of identity providers each time would be slow, so the configuration is kept
until the cached aggregate file changes (``refresh_federation_metadata`` replaced it).
"""

import datetime
import threading
from pathlib import Path

import saml2
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.urls import reverse
from saml2.config import SPConfig
from saml2.saml import NAMEID_FORMAT_TRANSIENT

from accounts.saml import metadata

ATTRIBUTE_MAP_DIR = str(Path(__file__).resolve().parent / "attributemaps")
REQUIRED_ATTRIBUTES = ["eduPersonPrincipalName", "mail"]
OPTIONAL_ATTRIBUTES = [
    "displayName",
    "givenName",
    "sn",
    "supannEtablissement",
    "eduPersonAffiliation",
    "eduPersonScopedAffiliation",
]

_lock = threading.Lock()
_cache = {}


def sp_key_pair():
    """Paths of the SP's signing/encryption key and certificate. Set SAML_SP_KEY_FILE and
    SAML_SP_CERT_FILE in production; without them a self-signed pair is made once in VAR_DIR."""
    key, cert = settings.SSO_SAML_SP_KEY_FILE, settings.SSO_SAML_SP_CERT_FILE
    if key and cert:
        return key, cert
    folder = metadata.federation_dir()
    key_path, cert_path = folder / "sp-key.pem", folder / "sp-cert.pem"
    with _lock:
        if not (key_path.is_file() and cert_path.is_file()):
            private = rsa.generate_private_key(public_exponent=65537, key_size=3072)
            name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Passerelle SP")])
            now = datetime.datetime.now(datetime.UTC)
            certificate = (
                x509.CertificateBuilder()
                .subject_name(name)
                .issuer_name(name)
                .public_key(private.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(days=1))
                .not_valid_after(now + datetime.timedelta(days=3650))
                .sign(private, hashes.SHA256())
            )
            key_path.write_bytes(
                private.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
            key_path.chmod(0o600)
            cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return str(key_path), str(cert_path)


def base_url(request):
    if settings.SSO_SAML_BASE_URL:
        return settings.SSO_SAML_BASE_URL.rstrip("/")
    if request is not None:
        return f"{request.scheme}://{request.get_host()}"
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def config_dict(root, metadata_path):
    key_file, cert_file = sp_key_pair()
    return {
        "entityid": settings.SSO_SAML_ENTITY_ID or root + reverse("saml2_metadata"),
        "xmlsec_binary": settings.SSO_SAML_XMLSEC_BINARY,
        "attribute_map_dir": ATTRIBUTE_MAP_DIR,
        "allow_unknown_attributes": True,
        "accepted_time_diff": settings.SSO_SAML_CLOCK_SKEW,
        "http_client_timeout": settings.SSO_SAML_METADATA_TIMEOUT,
        "service": {
            "sp": {
                "name": "Passerelle",
                "name_id_format": NAMEID_FORMAT_TRANSIENT,
                "endpoints": {
                    "assertion_consumer_service": [
                        (root + reverse("saml2_acs"), saml2.BINDING_HTTP_POST),
                    ],
                    "single_logout_service": [
                        (root + reverse("saml2_ls"), saml2.BINDING_HTTP_REDIRECT),
                        (root + reverse("saml2_ls_post"), saml2.BINDING_HTTP_POST),
                    ],
                },
                "required_attributes": REQUIRED_ATTRIBUTES,
                "optional_attributes": OPTIONAL_ATTRIBUTES,
                "authn_requests_signed": True,
                "logout_requests_signed": True,
                "want_assertions_signed": True,
                "want_response_signed": False,
                "allow_unsolicited": False,
                "ui_info": {
                    "display_name": [{"text": "Passerelle", "lang": "fr"}],
                    "description": [
                        {
                            "text": "Base de connaissances et forum des établissements "
                            "d'enseignement supérieur",
                            "lang": "fr",
                        }
                    ],
                },
            },
        },
        "metadata": {"local": [str(metadata_path)]} if metadata_path else {},
        "key_file": key_file,
        "cert_file": cert_file,
        "encryption_keypairs": [{"key_file": key_file, "cert_file": cert_file}],
        "contact_person": [
            {
                "contact_type": "technical",
                "email_address": settings.SSO_SAML_CONTACT_EMAIL,
                "given_name": "Passerelle",
            }
        ],
    }


def sp_config(request=None):
    """djangosaml2's SAML_CONFIG_LOADER: the SPConfig for this host and this aggregate."""
    root = base_url(request)
    path = metadata.ensure_cached()
    stamp = None
    if path is not None:
        stat = path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
    key = (root, stamp)
    with _lock:
        config = _cache.get(key)
    if config is None:
        config = SPConfig()
        config.load(config_dict(root, path))
        with _lock:
            _cache.clear()
            _cache[key] = config
    return config


def metadata_store(request=None):
    """The loaded aggregate (pysaml2 MetadataStore), or None when there is none."""
    config = sp_config(request)
    if not config.metadata or not list(config.metadata.identity_providers()):
        return None
    return config.metadata
