"""The federation's metadata aggregate: fetched, its signature checked, cached on disk.

``refresh()`` reads the aggregate from ``SSO_SAML_METADATA_URL`` (or ``SSO_SAML_METADATA_FILE``),
refuses it unless it is an ``EntitiesDescriptor`` signed, on its root, by the key of the configured
certificate (``SSO_SAML_METADATA_CERT``, checked by xmlsec1), still valid (``validUntil``) and
holding at least one identity provider; only then does it replace the cached copy
(``<VAR_DIR>/federation/metadata.xml``, written atomically). A refresh that fails leaves the last
good copy in place and records the error in ``status.json`` beside it; the site keeps working on
that copy. ``python manage.py refresh_federation_metadata`` runs it (cron, every hour or so).
"""

import json
import logging
import os
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import requests
from defusedxml import ElementTree
from django.conf import settings
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger("passerelle.sso")

MD_NS = "urn:oasis:names:tc:SAML:2.0:metadata"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"


class MetadataError(Exception):
    """A metadata aggregate that was not accepted; ``str()`` says why (English, for the log)."""


def federation_dir():
    path = Path(settings.SSO_SAML_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def cached_path():
    return Path(settings.SSO_SAML_DIR) / "metadata.xml"


def status_path():
    return Path(settings.SSO_SAML_DIR) / "status.json"


def read_status():
    try:
        return json.loads(status_path().read_text())
    except (OSError, ValueError):
        return {}


def _write_status(**changes):
    status = read_status()
    status.update(changes)
    tmp = status_path().with_suffix(".tmp")
    tmp.write_text(json.dumps(status, indent=2))
    os.replace(tmp, status_path())


def _download(url):
    timeout = settings.SSO_SAML_METADATA_TIMEOUT
    limit = settings.SSO_SAML_METADATA_MAX_BYTES
    try:
        with requests.get(url, timeout=(timeout, timeout), stream=True) as response:
            response.raise_for_status()
            chunks, size = [], 0
            for chunk in response.iter_content(65536):
                size += len(chunk)
                if size > limit:
                    raise MetadataError(f"metadata larger than {limit} bytes")
                chunks.append(chunk)
            return b"".join(chunks)
    except requests.RequestException as exc:
        raise MetadataError(f"download of {url} failed: {exc}") from None


def _read_source():
    if settings.SSO_SAML_METADATA_URL:
        return _download(settings.SSO_SAML_METADATA_URL), settings.SSO_SAML_METADATA_URL
    if settings.SSO_SAML_METADATA_FILE:
        try:
            source = settings.SSO_SAML_METADATA_FILE
            return Path(source).read_bytes(), source
        except OSError as exc:
            raise MetadataError(f"cannot read {settings.SSO_SAML_METADATA_FILE}: {exc}") from None
    raise MetadataError("neither SAML_METADATA_URL nor SAML_METADATA_FILE is set")


def _check_structure(body):
    """The root is an EntitiesDescriptor whose first child is the signature of the root itself (so
    that the signature xmlsec1 checks is the one covering the whole aggregate), still valid."""
    try:
        root = ElementTree.fromstring(body, forbid_dtd=True)
    except Exception as exc:  # defusedxml raises several types
        raise MetadataError(f"not well-formed XML: {exc}") from None
    if root.tag != f"{{{MD_NS}}}EntitiesDescriptor":
        raise MetadataError(f"root element is {root.tag}, not EntitiesDescriptor")
    children = list(root)
    signature = children[0] if children else None
    if signature is None or signature.tag != f"{{{DS_NS}}}Signature":
        raise MetadataError("the aggregate is not signed on its root element")
    references = signature.findall(f"{{{DS_NS}}}SignedInfo/{{{DS_NS}}}Reference")
    root_id = root.get("ID")
    if len(references) != 1 or references[0].get("URI") not in {f"#{root_id}", ""}:
        raise MetadataError("the signature does not cover the root element")
    valid_until = root.get("validUntil")
    if valid_until:
        try:
            until = datetime.fromisoformat(valid_until.replace("Z", "+00:00"))
        except ValueError:
            raise MetadataError(f"unreadable validUntil {valid_until!r}") from None
        if until.tzinfo is None:
            until = until.replace(tzinfo=UTC)
        if until <= datetime.now(UTC):
            raise MetadataError(f"the aggregate expired on {valid_until}")
    idps = root.findall(f".//{{{MD_NS}}}IDPSSODescriptor")
    if not idps:
        raise MetadataError("the aggregate lists no identity provider")
    return len(idps)


def _check_signature(path):
    cert = settings.SSO_SAML_METADATA_CERT
    if not cert or not Path(cert).is_file():
        raise MetadataError("SAML_METADATA_CERT does not name a readable certificate")
    command = [
        settings.SSO_SAML_XMLSEC_BINARY,
        "--verify",
        "--enabled-reference-uris",
        "same-doc,empty",
        "--pubkey-cert-pem",
        str(cert),
        "--id-attr:ID",
        f"{MD_NS}:EntitiesDescriptor",
        str(path),
    ]
    try:
        # The command is fixed; only the paths of our own files vary.
        result = subprocess.run(  # noqa: S603
            command, capture_output=True, text=True, timeout=120, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise MetadataError(f"xmlsec1 could not run: {exc}") from None
    if result.returncode != 0 or "OK" not in (result.stdout + result.stderr):
        last = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        raise MetadataError(f"bad signature on the aggregate ({last[0]})")


def _check_loadable(path):
    """pysaml2 itself reads the aggregate (it drops a whole aggregate that one bad entity makes
    schema-invalid, so this is checked before it replaces the last good copy)."""
    from saml2.config import SPConfig

    from accounts.saml.config import config_dict

    config = SPConfig()
    try:
        config.load(config_dict(settings.WAGTAILADMIN_BASE_URL.rstrip("/"), path))
        count = len(list(config.metadata.identity_providers()))
    except Exception as exc:  # pysaml2 raises many types for unreadable metadata
        raise MetadataError(f"pysaml2 cannot read the aggregate: {exc}") from None
    if not count:
        raise MetadataError("pysaml2 finds no valid identity provider in the aggregate")
    return count


def refresh():
    """Fetch, check and cache the aggregate. Returns the number of identity providers; raises
    MetadataError (the cached copy untouched) when anything is wrong."""
    folder = federation_dir()
    now = datetime.now(UTC).isoformat(timespec="seconds")
    try:
        body, source = _read_source()
        count = _check_structure(body)
        fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=".metadata-", suffix=".xml")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(body)
            _check_signature(tmp)
            count = _check_loadable(tmp)
            os.replace(tmp, cached_path())
        finally:
            tmp.unlink(missing_ok=True)
    except MetadataError as exc:
        logger.error("Federation metadata refresh failed, keeping the last good copy: %s", exc)
        _write_status(last_attempt=now, last_error=str(exc), last_error_at=now)
        raise
    _write_status(last_attempt=now, last_success=now, source=source, identity_providers=count)
    logger.info("Federation metadata refreshed from %s: %d identity providers", source, count)
    return count


def ensure_cached():
    """The cached aggregate's path, fetching it once when there is none yet; None if unavailable."""
    path = cached_path()
    if path.is_file():
        return path
    if not (settings.SSO_SAML_METADATA_URL or settings.SSO_SAML_METADATA_FILE):
        return None
    try:
        refresh()
    except MetadataError:
        return None
    return path


UNAVAILABLE = _(
    "La connexion par la fédération d'identités est momentanément indisponible. Réessayez plus "
    "tard, ou connectez-vous avec votre identifiant et votre mot de passe."
)
