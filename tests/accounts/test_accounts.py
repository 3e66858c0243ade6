import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from machina.core.db.models import get_model

from accounts import roles
from accounts.models import Establishment, parse_email_domains, validate_email_domains
from tests import factories

GroupForumPermission = get_model("forum_permission", "GroupForumPermission")
UserForumPermission = get_model("forum_permission", "UserForumPermission")


@pytest.mark.django_db
@pytest.mark.parametrize("uai", ["0751717J", "0751717j", " 0751717J "])
def test_valid_uai_codes_are_accepted_and_normalised(uai):
    establishment = Establishment(name="Université", uai=uai.strip())
    establishment.full_clean()
    establishment.save()
    assert Establishment.objects.get().uai == "0751717J"


@pytest.mark.django_db
@pytest.mark.parametrize("uai", ["075171J", "07517170J", "A751717J", "0751717", "075-717J", ""])
def test_invalid_uai_codes_are_refused_with_a_french_message(uai):
    establishment = Establishment(name="Université", uai=uai)
    with pytest.raises(ValidationError) as error:
        establishment.full_clean()
    assert "uai" in error.value.message_dict


@pytest.mark.django_db
def test_uai_is_unique():
    Establishment.objects.create(name="A", uai="0751717J")
    with pytest.raises(ValidationError):
        Establishment(name="B", uai="0751717J").full_clean()


def test_email_domains_are_parsed_and_validated():
    assert parse_email_domains("univ-a.fr, @Etu.Univ-A.fr\nunivb.fr") == [
        "univ-a.fr",
        "etu.univ-a.fr",
        "univb.fr",
    ]
    with pytest.raises(ValidationError) as error:
        validate_email_domains("univ a.fr, pas_un_domaine, univ-ok.fr")
    assert "pas_un_domaine" in str(error.value)
    assert "univ-ok.fr" not in str(error.value)


@pytest.mark.django_db
def test_roles_exist_after_migrate_and_setup_is_idempotent():
    names = set(Group.objects.values_list("name", flat=True))
    assert set(roles.ROLE_NAMES) <= names
    before = (
        Group.objects.count(),
        GroupForumPermission.objects.count(),
        UserForumPermission.objects.count(),
    )
    roles.ensure_roles()
    roles.ensure_roles()
    after = (
        Group.objects.count(),
        GroupForumPermission.objects.count(),
        UserForumPermission.objects.count(),
    )
    assert before == after


@pytest.mark.django_db
def test_domain_officer_group_is_named_after_the_domain_and_follows_renames():
    domain, _forum = factories.make_domain_with_forum("Finances")
    assert domain.officer_group.name == "Chargés de domaine · Finances"
    domain.name = "Finances et achats"
    domain.save()
    roles.sync_domain_permissions(domain)
    domain.refresh_from_db()
    assert domain.officer_group.name == "Chargés de domaine · Finances et achats"
    officer = factories.make_officer(domain)
    assert list(domain.officers) == [officer]


@pytest.mark.django_db
def test_editor_can_manage_establishments_and_domains_in_wagtail(client_for):
    editor = factories.make_user(roles.EDITOR)
    staff = factories.make_user(roles.STAFF)
    assert client_for(editor).get("/admin/snippets/accounts/establishment/").status_code == 200
    assert client_for(editor).get("/admin/snippets/kb/domain/").status_code == 200
    response = client_for(editor).post(
        "/admin/snippets/accounts/establishment/add/",
        {
            "name": "Université de Kerlann",
            "uai": "0291234x",
            "kind": "universite",
            "region": "Bretagne",
            "email_domains": "univ-kerlann.fr",
        },
    )
    assert response.status_code == 302
    assert Establishment.objects.get(name="Université de Kerlann").uai == "0291234X"
    bad = client_for(editor).post(
        "/admin/snippets/accounts/establishment/add/",
        {"name": "Sans code", "uai": "12", "kind": "universite"},
    )
    assert bad.status_code == 200
    assert "7 chiffres" in bad.content.decode()
    assert client_for(staff).get("/admin/snippets/accounts/establishment/").status_code == 302
