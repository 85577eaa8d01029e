"""Accounts: add_user bootstrapping, roles as data, the one scoping path, and hardened login settings."""

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from accounts.models import Grant, User
from accounts.policy import allowed, area_in_scope, restrict
from registry.models import Person

pytestmark = pytest.mark.django_db


def test_add_user_command_creates_a_scoped_account(areas):
    call_command("add_user", "zhang", "--password", "Strong-Pass-2026!", "--role", "town_officer",
                 "--role", "town_reviewer", "--area", areas["town_a"], verbosity=0)
    user = User.objects.get(username="zhang")
    assert user.area_id == areas["town_a"]
    assert set(user.roles.values_list("code", flat=True)) == {"town_officer", "town_reviewer"}
    assert user.check_password("Strong-Pass-2026!")


def test_add_user_refuses_unknown_area_and_weak_password(areas):
    with pytest.raises(CommandError, match="区划代码不存在"):
        call_command("add_user", "li", "--password", "Strong-Pass-2026!", "--role", "leader", "--area", "999")
    with pytest.raises(CommandError):
        call_command("add_user", "li", "--password", "123", "--role", "leader", "--area", areas["district"])
    assert not User.objects.filter(username="li").exists()


def test_createsuperuser_still_works(db):
    call_command("createsuperuser", "--noinput", "--username", "root", "--email", "r@example.com")
    assert User.objects.get(username="root").is_superuser


def test_permissions_are_rows_that_an_admin_can_change(personas):
    worker = personas["community_worker"]
    assert allowed(worker, "person", "add")
    Grant.objects.filter(role_id="community_worker", resource="person", action="add").delete()
    worker = User.objects.get(pk=worker.pk)  # a fresh object: grants are cached per user object
    assert not allowed(worker, "person", "add")


def test_restrict_scopes_by_level(registry_data, personas):
    everyone = Person.objects.all()
    assert set(restrict(everyone, personas["district_officer"])) == {registry_data[k] for k in ("a1", "a2", "b1")}
    assert set(restrict(everyone, personas["town_officer"])) == {registry_data["a1"], registry_data["a2"]}
    assert set(restrict(everyone, personas["community_worker"])) == {registry_data["a1"], registry_data["a2"]}
    assert set(restrict(everyone, personas["outsider"])) == {registry_data["b1"]}


def test_no_grant_means_nothing_even_in_area(registry_data, personas):
    assert not restrict(Person.objects.all(), personas["leader"], "change").exists()


def test_area_in_scope(personas, areas):
    assert area_in_scope(personas["town_officer"], areas["community_a"])
    assert not area_in_scope(personas["town_officer"], areas["community_b"])
    assert not area_in_scope(personas["community_worker"], areas["community_a2"])


def test_login_is_hardened_in_settings():
    from minzheng import settings as project_settings  # the autouse fixture swaps the hasher for speed

    assert project_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.SESSION_SAVE_EVERY_REQUEST and settings.SESSION_COOKIE_AGE <= 30 * 60


def test_production_hasher_stores_argon2(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = User.objects.create_user(username="h", password="Strong-Pass-2026!")
    assert user.password.startswith("argon2$")


def test_migrations_seed_every_default_grant(db):
    """accounts/roles.py is the one grant table: every row it names exists after migrating, and no other."""
    from accounts.roles import DEFAULT_GRANTS

    expected = {(role, resource, action) for role, resources in DEFAULT_GRANTS.items()
                for resource, actions in resources.items() for action in actions}
    assert set(Grant.objects.values_list("role_id", "resource", "action")) == expected
