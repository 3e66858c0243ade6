"""The federation's protocol exchange without a browser: Django's test client speaks to the real
pysaml2 IdPs (HTTP) of tests/sso/conftest.py."""

import html
import re

import requests
from django.contrib.auth import get_user_model
from django.test import Client

User = get_user_model()


def idp_response(client, idp, login, next_url=""):
    """Start at our login view, sign in at the IdP, return the SAMLResponse form fields."""
    query = {"idp": idp.entity_id, **({"next": next_url} if next_url else {})}
    response = client.get("/compte/federation/login/", query)
    assert response.status_code == 302, response.content[:500]
    location = response["Location"]
    assert location.startswith(idp.url)
    page = requests.get(location, timeout=10).text
    fields = dict(re.findall(r"name='(\w+)' value='([^']*)'", page))
    form = {k: html.unescape(v) for k, v in fields.items()}
    form["login"] = login
    posted = requests.post(f"{idp.url}/sso/login", data=form, timeout=10).text
    values = dict(re.findall(r'name="(\w+)" value="([^"]*)"', posted))
    return {k: html.unescape(v) for k, v in values.items()}


def test_sign_in_through_the_idp(fed):
    client = Client()
    form = idp_response(client, fed.valmont, "camille")
    response = client.post("/compte/federation/acs/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.get(email="camille.martin@univ-valmont.fr").profile.establishment.uai == (
        "0759991A"
    )
