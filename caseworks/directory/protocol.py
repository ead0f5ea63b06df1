"""OpenID Connect with a carrier's provider, through libraries, not by hand: Authlib's OAuth 2
client (authorization code with PKCE S256, the token exchange, refresh) and joserfc (Authlib's
JOSE library: the ID token's and logout token's signature against the provider's JWKS, and
their claims — issuer, audience, expiry, nonce). The provider's endpoints come from its
discovery document, whose issuer must be the configured one.

What reaches Caseworks from the provider is believed only after these checks; nothing here
logs a token or a secret."""

from dataclasses import dataclass
from typing import Any

import requests
from authlib.common.security import generate_token  # type: ignore[import-untyped]
from authlib.integrations.requests_client import (  # type: ignore[import-untyped]
    OAuth2Session,
    OAuthError,
)
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from caseworks.directory.models import DirectoryProvider
from caseworks.settings import envsecret

TIMEOUT = 10  # seconds for each request to the provider
LEEWAY = 60  # seconds of clock difference allowed on exp/iat
DOCUMENT_CACHE = 3600  # the discovery document and the keys, per issuer
ALGORITHMS = ["RS256", "PS256", "ES256"]
BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"


class DirectoryError(Exception):
    """The provider's answer is refused: an error, an invalid token, an unreachable server.
    The message names the check, never the token."""


class Refused(DirectoryError):
    """The provider refused a refresh (invalid_grant): the account is disabled, deleted, or no
    longer allowed to use Caseworks."""


def _get_json(url: str) -> dict[str, Any]:
    try:
        response = requests.get(url, timeout=TIMEOUT)
        response.raise_for_status()
        document: dict[str, Any] = response.json()
    except (requests.RequestException, ValueError) as error:
        raise DirectoryError(f"{url}: {type(error).__name__}") from None
    return document


def discovery(provider: DirectoryProvider) -> dict[str, Any]:
    """The provider's discovery document (OpenID Connect Discovery 1.0), cached."""
    key = f"directory:discovery:{provider.issuer}"
    document: dict[str, Any] | None = cache.get(key)
    if document is None:
        document = _get_json(provider.discovery_url)
        # Discovery § 4.3: the issuer in the document is the one asked for, exactly.
        if document.get("issuer") != provider.issuer:
            raise DirectoryError("The discovery document names another issuer.")
        cache.set(key, document, DOCUMENT_CACHE)
    return document


def _keys(provider: DirectoryProvider, *, fresh: bool = False) -> KeySet:
    key = f"directory:jwks:{provider.issuer}"
    data: dict[str, Any] | None = None if fresh else cache.get(key)
    if data is None:
        data = _get_json(discovery(provider)["jwks_uri"])
        cache.set(key, data, DOCUMENT_CACHE)
    return KeySet.import_key_set(data)  # type: ignore[arg-type]


def client_secret(provider: DirectoryProvider) -> str:
    """The stored secret, or the one from CASEWORKS_DIRECTORY_<env_name>_CLIENT_SECRET(_FILE)."""
    if provider.client_secret:
        return str(provider.client_secret)
    if provider.env_name:
        secret = envsecret(f"CASEWORKS_DIRECTORY_{provider.env_name}_CLIENT_SECRET")
        if secret:
            return secret
    raise ImproperlyConfigured(f"No client secret for the directory {provider.code}")


def _client(provider: DirectoryProvider, redirect_uri: str | None = None) -> OAuth2Session:
    return OAuth2Session(
        client_id=provider.client_id,
        client_secret=client_secret(provider),
        scope=provider.scopes,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
    )


@dataclass(frozen=True)
class Start:
    """Where to send the browser, and what the callback must find again (kept in the
    session): state, nonce and the PKCE verifier, each used once."""

    url: str
    state: str
    nonce: str
    code_verifier: str


def begin(provider: DirectoryProvider, redirect_uri: str) -> Start:
    state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
    with _client(provider, redirect_uri) as client:
        url, _state = client.create_authorization_url(
            discovery(provider)["authorization_endpoint"],
            state=state,
            nonce=nonce,
            code_verifier=verifier,
        )
    return Start(url=url, state=state, nonce=nonce, code_verifier=verifier)


@dataclass(frozen=True)
class SignedIn:
    """The checked ID token's claims, the refresh token (for the periodic check) and, when
    the provider says it, how many seconds its session has left (Keycloak's
    `refresh_expires_in`: the SSO session's end)."""

    claims: dict[str, Any]
    refresh_token: str
    session_seconds: int | None = None


def finish(
    provider: DirectoryProvider,
    redirect_uri: str,
    *,
    code: str,
    code_verifier: str,
    nonce: str,
    iss: str | None,
) -> SignedIn:
    """The authorization code for tokens (with the PKCE verifier), then the ID token checked.
    `iss`: the authorization response's issuer (RFC 9207), when the provider sends one."""
    if iss is not None and iss != provider.issuer:
        raise DirectoryError("The answer comes from another issuer.")
    try:
        with _client(provider, redirect_uri) as client:
            token = client.fetch_token(
                discovery(provider)["token_endpoint"],
                code=code,
                code_verifier=code_verifier,
                timeout=TIMEOUT,
            )
    except OAuthError as error:
        raise DirectoryError(f"Token request refused: {error.error}") from None
    except requests.RequestException as error:
        raise DirectoryError(f"Token request failed: {type(error).__name__}") from None
    if "id_token" not in token:
        raise DirectoryError("No ID token in the answer.")
    claims = id_token_claims(provider, token["id_token"], nonce=nonce)
    return SignedIn(
        claims=claims,
        refresh_token=token.get("refresh_token") or "",
        session_seconds=_seconds(token.get("refresh_expires_in")),
    )


def _seconds(value: Any) -> int | None:
    """A positive number of seconds from a token response, else None (0 means "no limit" at
    Keycloak; anything unreadable is no limit of the provider's)."""
    try:
        seconds = int(value)
    except (TypeError, ValueError):
        return None
    return seconds if seconds > 0 else None


def _decode(provider: DirectoryProvider, raw: str) -> dict[str, Any]:
    """The token's claims if its signature is the provider's (a key it publishes now)."""
    for fresh in (False, True):  # a new key: read the provider's keys once more
        try:
            token = jwt.decode(raw, _keys(provider, fresh=fresh), algorithms=ALGORITHMS)
        except (JoseError, ValueError) as error:
            if fresh:
                raise DirectoryError(f"Token refused: {type(error).__name__}") from None
            continue
        return dict(token.claims)
    raise AssertionError("unreachable")


def _validate(claims: dict[str, Any], registry: jwt.JWTClaimsRegistry) -> None:
    try:
        registry.validate(claims)
    except JoseError as error:
        raise DirectoryError(f"Token refused: {error.error}: {error.description}") from None


def id_token_claims(provider: DirectoryProvider, raw: str, *, nonce: str) -> dict[str, Any]:
    """OpenID Connect Core § 3.1.3.7: signature, issuer, audience (and azp), expiry, issued
    at, and the nonce this sign-in sent (a token from another sign-in has another)."""
    claims = _decode(provider, raw)
    _validate(
        claims,
        jwt.JWTClaimsRegistry(
            leeway=LEEWAY,
            iss={"essential": True, "value": provider.issuer},
            aud={"essential": True, "value": provider.client_id},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
            nonce={"essential": True, "value": nonce},
        ),
    )
    audience = claims["aud"]
    if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != provider.client_id:
        raise DirectoryError("Token refused: issued for another party (azp).")
    return claims


def logout_token_claims(provider: DirectoryProvider, raw: str) -> dict[str, Any]:
    """OpenID Connect Back-Channel Logout 1.0 § 2.6: signature, issuer, audience, iat (and
    exp when sent), the logout event, a sub or sid, and no nonce."""
    claims = _decode(provider, raw)
    _validate(
        claims,
        jwt.JWTClaimsRegistry(
            leeway=LEEWAY,
            iss={"essential": True, "value": provider.issuer},
            aud={"essential": True, "value": provider.client_id},
            iat={"essential": True},
        ),
    )
    events = claims.get("events")
    if not isinstance(events, dict) or BACKCHANNEL_EVENT not in events:
        raise DirectoryError("Logout token refused: no logout event.")
    if "nonce" in claims:
        raise DirectoryError("Logout token refused: it carries a nonce.")
    if not claims.get("sub") and not claims.get("sid"):
        raise DirectoryError("Logout token refused: neither sub nor sid.")
    return claims


def refresh(provider: DirectoryProvider, refresh_token: str) -> str:
    """Ask the provider whether the account may still sign in: a refresh it grants (the new
    refresh token returned, or the old one), or Refused. DirectoryError: unreachable."""
    try:
        with _client(provider) as client:
            token = client.refresh_token(
                discovery(provider)["token_endpoint"],
                refresh_token=refresh_token,
                timeout=TIMEOUT,
            )
    except OAuthError as error:
        # Only this answer: a wrong client secret (invalid_client) must not end everyone.
        if error.error == "invalid_grant":
            raise Refused(error.error) from None
        raise DirectoryError(f"Refresh refused: {error.error}") from None
    except requests.RequestException as error:
        raise DirectoryError(f"Refresh failed: {type(error).__name__}") from None
    return str(token.get("refresh_token") or refresh_token)
