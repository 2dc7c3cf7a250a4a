"""The realm file and the client's models agree on roles, attributes and clients.

The infra tests in test_identity_provider.py show the provider behaving this way; these
say which lines of the realm file make it so, and fail on the line that changes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from crosscheck_platform.identity import (
    SCOPE_ATTRIBUTES,
    IdentitySettings,
    RealmRole,
    UserSpec,
)

REALM_FILE = Path(__file__).resolve().parents[3] / "deploy" / "keycloak" / "crosscheck-realm.json"


@pytest.fixture(scope="module")
def realm() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(REALM_FILE.read_text(encoding="utf-8"))
    return loaded


def client(realm: dict[str, Any], client_id: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [c for c in realm["clients"] if c["clientId"] == client_id]
    assert len(found) == 1, client_id
    return found[0]


def mappers(realm: dict[str, Any], scope: str) -> dict[str, dict[str, Any]]:
    (found,) = (s for s in realm["clientScopes"] if s["name"] == scope)
    return {m["name"]: m for m in found["protocolMappers"]}


def test_the_realm_declares_exactly_the_crosscheck_roles(realm: dict[str, Any]) -> None:
    declared = {r["name"] for r in realm["roles"]["realm"]} - {"default-roles-crosscheck"}
    assert declared == {role.value for role in RealmRole}
    # Those roles and no others reach the tokens of the Crosscheck clients.
    (mapping,) = realm["scopeMappings"]
    assert mapping["clientScope"] == "crosscheck"
    assert set(mapping["roles"]) == declared


def test_the_realm_throttles_logins_and_keeps_tokens_short(realm: dict[str, Any]) -> None:
    assert realm["realm"] == "crosscheck"
    assert realm["bruteForceProtected"] is True and realm["permanentLockout"] is False
    assert realm["failureFactor"] == 5
    assert realm["accessTokenLifespan"] == 300
    assert realm["revokeRefreshToken"] is True and realm["refreshTokenMaxReuse"] == 0
    assert realm["registrationAllowed"] is False
    assert realm["defaultSignatureAlgorithm"] == "RS256"


def test_only_administrators_edit_the_scope_attributes(realm: dict[str, Any]) -> None:
    (provider,) = realm["components"]["org.keycloak.userprofile.UserProfileProvider"]
    profile = json.loads(provider["config"]["kc.user.profile.config"][0])
    attributes = {a["name"]: a for a in profile["attributes"]}
    for name in SCOPE_ATTRIBUTES:
        assert attributes[name]["permissions"]["edit"] == ["admin"], name
    # No attribute outside the declared ones can be stored at all.
    assert "unmanagedAttributePolicy" not in profile


def test_the_crosscheck_scope_puts_audience_roles_and_scope_into_access_tokens(
    realm: dict[str, Any],
) -> None:
    found = mappers(realm, "crosscheck")
    audience = found["crosscheck-api audience"]["config"]
    assert audience["included.custom.audience"] == "crosscheck-api"
    assert audience["access.token.claim"] == "true"
    roles = found["roles"]["config"]
    assert (roles["claim.name"], roles["multivalued"]) == ("roles", "true")
    for name in SCOPE_ATTRIBUTES:
        config = found[name]["config"]
        assert (config["user.attribute"], config["claim.name"]) == (name, name)
        assert (config["jsonType.label"], config["access.token.claim"]) == ("String", "true")
    assert found["username"]["config"]["claim.name"] == "preferred_username"
    assert found["full name"]["protocolMapper"] == "oidc-full-name-mapper"
    assert "crosscheck" in realm["defaultDefaultClientScopes"]


def test_each_client_has_only_its_own_flow(realm: dict[str, Any]) -> None:
    console = client(realm, "crosscheck-console")
    assert console["publicClient"] and console["standardFlowEnabled"]
    assert not (console["directAccessGrantsEnabled"] or console["implicitFlowEnabled"])
    assert console["attributes"]["pkce.code.challenge.method"] == "S256"
    assert console["redirectUris"] == ["http://127.0.0.1:8106/*", "http://localhost:8106/*"]
    assert console["webOrigins"] == ["http://127.0.0.1:8106", "http://localhost:8106"]

    cli = client(realm, "crosscheck-cli")
    assert cli["publicClient"] and cli["directAccessGrantsEnabled"]
    assert not (cli["standardFlowEnabled"] or cli["serviceAccountsEnabled"])
    assert cli["attributes"]["access.token.lifespan"] == "3600"

    registry = client(realm, "crosscheck-registry")
    assert not registry["publicClient"] and registry["serviceAccountsEnabled"]
    assert not (registry["standardFlowEnabled"] or registry["directAccessGrantsEnabled"])
    # Filled from the environment when Keycloak imports the file; never a literal secret.
    assert registry["secret"] == "${CROSSCHECK_IDP_CLIENT_SECRET}"
    (account,) = (u for u in realm["users"] if u.get("serviceAccountClientId"))
    assert account["clientRoles"] == {
        "realm-management": ["manage-users", "view-users", "query-users"]
    }
    for crosscheck_client in (console, cli, registry):
        assert "crosscheck" in crosscheck_client["defaultClientScopes"]


def test_a_spec_keeps_the_username_as_keycloak_does_and_needs_a_name() -> None:
    spec = UserSpec(username=" User-01 ", role=RealmRole.INSPECTOR, display_name="李娟")
    assert spec.username == "user-01"
    representation = spec.apply_to({"id": "u-1", "attributes": {"locale": ["zh-CN"]}})
    assert representation["firstName"] == "李娟" and representation["lastName"] == ""
    assert representation["attributes"] == {
        "locale": ["zh-CN"],
        "county": [],
        "township": [],
        "village_id": [],
        "staff_id": [],
    }
    with pytest.raises(ValidationError):
        UserSpec(username="13900000000", role=RealmRole.INSPECTOR)
    with pytest.raises(ValidationError):
        UserSpec(
            username="13900000000", role=RealmRole.INSPECTOR, display_name="李娟", last_name="李"
        )
    with pytest.raises(ValidationError):
        UserSpec(username="139 0000", role=RealmRole.INSPECTOR, display_name="李娟")


def test_settings_come_from_an_issuer_and_refuse_nonsense() -> None:
    settings = IdentitySettings.from_issuer(
        "http://127.0.0.1:18180/realms/crosscheck/",
        client_id="crosscheck-registry",
        client_secret="never-in-logs",
    )
    assert (settings.base_url, settings.realm) == ("http://127.0.0.1:18180", "crosscheck")
    assert settings.admin_url == "http://127.0.0.1:18180/admin/realms/crosscheck"
    assert "never-in-logs" not in repr(settings)
    with pytest.raises(ValueError):
        IdentitySettings.from_issuer("http://127.0.0.1:18180", client_id="c", client_secret="s")
    with pytest.raises(ValueError):
        IdentitySettings("ftp://idp", "crosscheck", "c", "s")
