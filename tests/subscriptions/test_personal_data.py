"""The personal-data export holds the follows; deleting the account removes them."""

import json

from django.urls import reverse

from accounts.personal_data.erasure import erase_account
from outbox.delivery import record_refusal
from outbox.models import RefusedAddress
from subscriptions import digest, follows
from subscriptions.models import DigestRun, Follow, Rhythm
from tests.subscriptions.conftest import publish_change, soon


def test_export_holds_the_follows_and_deletion_removes_them(client_for, world):
    person = world.forum.staff_a
    follows.follow(person, world.forum.rh, Rhythm.DAILY)
    follows.follow(person, world.guide, Rhythm.WEEKLY)
    follows.follow(person, world.notice_source, Rhythm.IMMEDIATE)
    publish_change(world.guide, note="Nouveau barème 2027")
    assert digest.send(Rhythm.DAILY, soon()) == 1
    record_refusal(person.email, "550")
    data = json.loads(client_for(person).get(reverse("accounts:personal_data_json")).content)
    followed = {(f["nom"], f["rythme"]) for f in data["abonnements"]["suivis"]}
    assert followed == {
        ("RH", "résumé quotidien"),
        ("Guide de la paie", "résumé hebdomadaire"),
        ("Commission nationale informatique", "immédiatement"),
    }
    assert data["abonnements"]["resumes_envoyes"][0]["periode"] == "quotidien"
    assert data["abonnements"]["adresse_refusee"][0]["refus"] == 1
    assert "RH" in data["abonnements"]["actualites_urgentes"]["domaines"]
    # Someone else's export has none of it.
    other = json.loads(
        client_for(world.forum.staff_b).get(reverse("accounts:personal_data_json")).content
    )
    assert other["abonnements"]["suivis"] == [] and other["abonnements"]["adresse_refusee"] == []
    email, pk = person.email, person.pk
    erase_account(person)
    assert not Follow.objects.filter(user_id=pk).exists()
    assert not DigestRun.objects.filter(user_id=pk).exists()
    assert not RefusedAddress.objects.filter(email__iexact=email).exists()
