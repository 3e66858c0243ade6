"""The demo accounts sign in through the real pages; editeur and admin with their TOTP code."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from accounts import demo
from tests.accounts.helpers import sign_in, totp_code

pytestmark = pytest.mark.django_db


def test_demo_staff_signs_in_and_demo_editor_passes_the_totp_step(site_tree):
    demo.load_establishments()
    demo.load_users()
    demo.load_users()  # idempotent
    staff = Client()
    assert sign_in(staff, "personnel", demo.DEMO_PASSWORD).status_code == 302
    assert staff.session["_auth_user_id"]
    out = StringIO()
    call_command("demo_totp", "editeur", stdout=out)
    code = re.match(r"(\d{6})", out.getvalue()).group(1)
    assert code in {totp_code(demo.DEMO_TOTP_SECRETS["editeur"], at=t) for t in _around_now()}
    editor = Client()
    response = sign_in(editor, "editeur", demo.DEMO_PASSWORD)
    assert response["Location"] == "/compte/2fa/authenticate/"
    editor.post("/compte/2fa/authenticate/", {"code": totp_code(demo.DEMO_TOTP_SECRETS["editeur"])})
    assert editor.get("/admin/").status_code == 200


def _around_now():
    import time

    now = time.time()
    return (now - 30, now, now + 30)
