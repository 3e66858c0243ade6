"""pysaml2 attribute map: pysaml2's own urn:oid map plus the SupAnn attributes of the federation.

Loaded through ``attribute_map_dir`` (accounts/saml/config.py); the module name is unique so that it
cannot shadow pysaml2's own ``saml_uri`` module on ``sys.path``.
"""

from saml2.attributemaps.saml_uri import MAP as _PYSAML2_MAP

SUPANN_OID = "urn:oid:1.3.6.1.4.1.7135.1.2.1."
SUPANN = {
    f"{SUPANN_OID}14": "supannEtablissement",
    f"{SUPANN_OID}15": "supannEntiteAffectation",
    f"{SUPANN_OID}11": "supannAffectation",
}

MAP = {
    "identifier": _PYSAML2_MAP["identifier"],
    "fro": {**_PYSAML2_MAP["fro"], **SUPANN},
    "to": {**_PYSAML2_MAP["to"], **{name: oid for oid, name in SUPANN.items()}},
}
