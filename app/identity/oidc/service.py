"""Signing in with, and linking, an OpenID Connect provider's accounts.

An identity (issuer, subject) is linked to an account in one of two ways only: while
signed in (the link flow, finished by the same account), or at a sign-in whose ID token
says the email is verified (`email_verified`) and names an account's email. Otherwise
the sign-in is refused: no account is taken over through an address the provider never
checked. No pooled connection is held while the provider is called.
"""

import secrets
from datetime import timedelta

import httpx
from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.auth import digest_of, new_opaque_token
from app.core.config import Settings
from app.core.db import delete_expired, release_connection
from app.core.edge import RequestOrigin
from app.core.errors import Conflict, Forbidden, NotFound, Unauthorized
from app.identity.audit import service as audit
from app.identity.audit.service import AuditAction
from app.identity.oidc import provider
from app.identity.oidc.models import OidcFlow, OidcIdentity
from app.identity.two_factor import service as two_factor
from app.identity.users import service as users
from app.identity.users.models import User

SWEEP_BATCH = 50  # expired flows deleted per new one
_FLOW_GONE = {"state": ["is invalid or expired"]}


def require_configured(settings: Settings) -> None:
    if not settings.oidc_issuer:
        raise NotFound("oidc")


async def begin(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings, user: User | None
) -> str:
    """The provider's authorization URL for a new flow (a link when `user` is given)."""
    require_configured(settings)
    await release_connection(session)  # (a link's sudo check read the session's row)
    discovery = await provider.discover(client, settings)
    state = new_opaque_token()
    nonce = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)  # 86 characters: RFC 7636 asks 43 to 128
    await session.execute(
        insert(OidcFlow).values(
            digest=state.digest,
            nonce=nonce,
            code_verifier=verifier,
            user_id=None if user is None else user.id,
            expires_at=func.now() + timedelta(seconds=settings.oidc_flow_ttl_seconds),
        )
    )
    await delete_expired(session, OidcFlow.digest, OidcFlow.expires_at, SWEEP_BATCH)
    return provider.authorization_url(
        discovery, settings, state=state.secret, nonce=nonce, verifier=verifier
    )


async def _claims_of(
    session: AsyncSession,
    client: httpx.AsyncClient,
    settings: Settings,
    *,
    code: str,
    state: str,
    linking: User | None,
) -> dict[str, object]:
    """The verified ID token claims of the flow `state` names (spent, whatever follows)."""
    require_configured(settings)
    flow = (
        await session.execute(
            delete(OidcFlow)
            .where(OidcFlow.digest == digest_of(state), OidcFlow.expires_at > func.now())
            .returning(OidcFlow.nonce, OidcFlow.code_verifier, OidcFlow.user_id)
        )
    ).one_or_none()
    await release_connection(session)  # the flow is spent; the provider is called next
    expected_user = None if linking is None else linking.id
    if flow is None or flow.user_id != expected_user:
        raise Unauthorized("The sign-in's state is unknown, used or expired.", _FLOW_GONE)
    discovery = await provider.discover(client, settings)
    id_token = await provider.exchange_code(client, settings, discovery, code, flow.code_verifier)
    return await provider.verified_claims(client, settings, discovery, id_token, flow.nonce)


async def _link(
    session: AsyncSession, user: User, issuer: str, subject: str, email: str | None
) -> OidcIdentity:
    try:
        async with session.begin_nested():
            return (
                await session.scalars(
                    insert(OidcIdentity)
                    .values(user_id=user.id, issuer=issuer, subject=subject, email=email)
                    .returning(OidcIdentity)
                )
            ).one()
    except IntegrityError as error:
        raise Conflict(
            "This provider account is linked to another account.",
            {"identity": ["is linked to another account"]},
        ) from error


async def sign_in(
    session: AsyncSession,
    client: httpx.AsyncClient,
    settings: Settings,
    origin: RequestOrigin,
    *,
    code: str,
    state: str,
) -> User:
    """The account the provider's ID token names (by a linked identity, else a verified
    email, linked then). 401 for a stale state or a refused code or ID token, 403 when no
    account may be reached (or it is deactivated); with two-factor on, the 403 that asks
    for its code."""
    claims = await _claims_of(session, client, settings, code=code, state=state, linking=None)
    issuer, subject = str(claims["iss"]), str(claims["sub"])
    email = claims.get("email") if isinstance(claims.get("email"), str) else None
    found = (
        await session.execute(
            select(User)
            .join(OidcIdentity, OidcIdentity.user_id == User.id)
            .where(OidcIdentity.issuer == issuer, OidcIdentity.subject == subject)
        )
    ).scalar_one_or_none()
    user = found
    if user is None:
        if email is None or claims.get("email_verified") is not True:
            raise Forbidden(
                "No account is linked to this provider account, and its email is not verified"
                " by the provider: sign in here, then link it from your account.",
                {"account": ["is not linked"]},
            )
        user = await users.find_by_email(session, str(email))
        if user is None:
            raise Forbidden(
                "No account has this email: register, then link the provider account.",
                {"account": ["does not exist"]},
            )
        await _link(session, user, issuer, subject, str(email))
        await audit.record(
            session,
            AuditAction.OIDC_LINKED,
            origin,
            actor=user,
            subject=user,
            issuer=issuer,
            by="verified email",
        )
    if user.deactivated_at is not None:
        raise Forbidden("The account is deactivated.", {"account": ["is deactivated"]})
    await two_factor.require_second_factor(
        session, user, origin, timedelta(seconds=settings.two_factor_challenge_ttl_seconds)
    )
    await audit.record(
        session,
        AuditAction.LOGIN_SUCCEEDED,
        origin,
        actor=user,
        subject=user,
        method="oidc",
        issuer=issuer,
    )
    return user


async def link(
    session: AsyncSession,
    client: httpx.AsyncClient,
    settings: Settings,
    user: User,
    origin: RequestOrigin,
    *,
    code: str,
    state: str,
) -> OidcIdentity:
    """The provider account of the flow `user` began, linked to `user` (409 when another
    account has it)."""
    claims = await _claims_of(session, client, settings, code=code, state=state, linking=user)
    issuer, subject = str(claims["iss"]), str(claims["sub"])
    email = claims.get("email") if isinstance(claims.get("email"), str) else None
    existing = await session.scalar(
        select(OidcIdentity).where(OidcIdentity.issuer == issuer, OidcIdentity.subject == subject)
    )
    if existing is not None and existing.user_id == user.id:
        return existing
    identity = await _link(session, user, issuer, subject, None if email is None else str(email))
    await audit.record(
        session,
        AuditAction.OIDC_LINKED,
        origin,
        actor=user,
        subject=user,
        issuer=issuer,
        by="signed in",
    )
    return identity


async def identities(session: AsyncSession, user_id: int) -> list[OidcIdentity]:
    statement = (
        select(OidcIdentity).where(OidcIdentity.user_id == user_id).order_by(OidcIdentity.id)
    )
    return list(await session.scalars(statement))


async def unlink(
    session: AsyncSession, user: User, identity_id: int, origin: RequestOrigin
) -> None:
    issuer = await session.scalar(
        delete(OidcIdentity)
        .where(OidcIdentity.id == identity_id, OidcIdentity.user_id == user.id)
        .returning(OidcIdentity.issuer)
    )
    if issuer is None:
        raise NotFound("identity")
    await audit.record(
        session, AuditAction.OIDC_UNLINKED, origin, actor=user, subject=user, issuer=issuer
    )
