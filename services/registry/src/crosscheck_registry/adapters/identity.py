"""The identity provider's admin client, when the registry is given one."""

from __future__ import annotations

from crosscheck_platform.identity import IdentityProvider, IdentitySettings
from crosscheck_platform.settings import ServiceSettings


def identity_provider(settings: ServiceSettings) -> IdentityProvider | None:
    """None without CROSSCHECK_IDP_CLIENT_ID/SECRET: then login management answers 503,
    and everything else works."""
    if not (settings.idp_client_id and settings.idp_client_secret):
        return None
    client_id, secret = settings.idp_client_id, settings.idp_client_secret.get_secret_value()
    if settings.idp_url:
        where = IdentitySettings(settings.idp_url, settings.idp_realm, client_id, secret)
    elif settings.oidc_issuer:
        where = IdentitySettings.from_issuer(
            settings.oidc_issuer, client_id=client_id, client_secret=secret
        )
    else:
        return None
    return IdentityProvider(where)
