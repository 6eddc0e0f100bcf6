"""Passkeys: registering one for a signed-in account, signing in with one, listing and
removing them. The WebAuthn checks (challenge, origin, RP id, signature, user
verification, the counter) are `webauthn`'s (py_webauthn); this keeps the challenges
single-use and short-lived, and the credentials.

`webauthn` is imported on first use: with `cryptography` and CBOR it costs a worker
~15 MB that requests without passkeys never need.
"""

import json
from dataclasses import dataclass
from datetime import timedelta
from types import ModuleType
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.auth import digest_of, new_opaque_token
from app.core.db import delete_expired, violated_constraint
from app.core.edge import RequestOrigin
from app.core.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from app.identity.audit import service as audit
from app.identity.audit.service import AuditAction
from app.identity.passkeys.models import CeremonyPurpose, Passkey, PasskeyCeremony
from app.identity.users.models import User

MAX_PASSKEYS_PER_ACCOUNT = 10
SWEEP_BATCH = 50  # expired ceremonies deleted per new one
_DEACTIVATED = {"account": ["is deactivated"]}
_CEREMONY_GONE = {"ceremony": ["is invalid or expired"]}


@dataclass(frozen=True, slots=True)
class RelyingParty:
    """This site as WebAuthn knows it (WEBAUTHN_RP_ID, WEBAUTHN_ORIGINS)."""

    id: str
    name: str
    origins: list[str]
    ceremony_ttl: timedelta


@dataclass(frozen=True, slots=True)
class Ceremony:
    token: str  # the client sends it back with the authenticator's answer
    options: dict[str, Any]  # PublicKeyCredential{Creation,Request}OptionsJSON


def _webauthn() -> ModuleType:
    import webauthn  # noqa: PLC0415 (see the module docstring)

    return webauthn


def _user_handle(user_id: int) -> bytes:
    """The WebAuthn user handle: the account id, no name or address (the spec asks for no
    personal data in it)."""
    return user_id.to_bytes(8, "big")


async def _open(
    session: AsyncSession,
    purpose: CeremonyPurpose,
    challenge: bytes,
    user_id: int | None,
    ttl: timedelta,
) -> str:
    token = new_opaque_token()
    await session.execute(
        insert(PasskeyCeremony).values(
            digest=token.digest,
            purpose=purpose.value,
            user_id=user_id,
            challenge=challenge,
            expires_at=func.now() + ttl,
        )
    )
    await delete_expired(session, PasskeyCeremony.digest, PasskeyCeremony.expires_at, SWEEP_BATCH)
    return token.secret


async def _claim(
    session: AsyncSession, token: str, purpose: CeremonyPurpose, user_id: int | None
) -> bytes | None:
    """The ceremony's challenge, deleted as it is read (single use); None if unknown,
    expired, of another purpose or another account."""
    conditions = [
        PasskeyCeremony.digest == digest_of(token),
        PasskeyCeremony.purpose == purpose.value,
        PasskeyCeremony.expires_at > func.now(),
    ]
    if user_id is not None:
        conditions.append(PasskeyCeremony.user_id == user_id)
    challenge: bytes | None = await session.scalar(
        delete(PasskeyCeremony).where(*conditions).returning(PasskeyCeremony.challenge)
    )
    return challenge


async def begin_registration(session: AsyncSession, user: User, rp: RelyingParty) -> Ceremony:
    """Options for `navigator.credentials.create`: a discoverable credential (so it signs
    in without a username) with user verification, excluding those already registered."""
    webauthn = _webauthn()
    structs = webauthn.helpers.structs
    registered = await session.scalars(
        select(Passkey.credential_id).where(Passkey.user_id == user.id)
    )
    options = webauthn.generate_registration_options(
        rp_id=rp.id,
        rp_name=rp.name,
        user_id=_user_handle(user.id),
        user_name=user.email,
        user_display_name=user.username,
        timeout=int(rp.ceremony_ttl.total_seconds() * 1000),
        authenticator_selection=structs.AuthenticatorSelectionCriteria(
            resident_key=structs.ResidentKeyRequirement.REQUIRED,
            user_verification=structs.UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[
            structs.PublicKeyCredentialDescriptor(id=credential_id) for credential_id in registered
        ],
    )
    token = await _open(
        session, CeremonyPurpose.REGISTRATION, options.challenge, user.id, rp.ceremony_ttl
    )
    return Ceremony(token, json.loads(webauthn.options_to_json(options)))


async def finish_registration(
    session: AsyncSession,
    user: User,
    rp: RelyingParty,
    origin: RequestOrigin,
    *,
    ceremony: str,
    credential: dict[str, Any],
    name: str,
) -> Passkey:
    """The authenticator's answer, verified, stored as a passkey of the account. 422 for a
    stale ceremony or an answer that does not verify, 409 for a credential already
    registered or past the per-account cap."""
    challenge = await _claim(session, ceremony, CeremonyPurpose.REGISTRATION, user.id)
    await session.commit()  # used up, whatever the answer turns out to be
    if challenge is None:
        raise InvalidInput(
            "The registration is unknown, used or expired: start again.", _CEREMONY_GONE
        )
    webauthn = _webauthn()
    try:
        verified = webauthn.verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origins,
            require_user_verification=True,
        )
    except webauthn.helpers.exceptions.WebAuthnException as error:
        raise InvalidInput(
            "The authenticator's answer was not accepted.", {"credential": [str(error)]}
        ) from error
    count = await session.scalar(
        select(func.count()).select_from(Passkey).where(Passkey.user_id == user.id)
    )
    if (count or 0) >= MAX_PASSKEYS_PER_ACCOUNT:
        raise Conflict(
            f"An account holds at most {MAX_PASSKEYS_PER_ACCOUNT} passkeys: remove one first.",
            {"passkeys": [f"at most {MAX_PASSKEYS_PER_ACCOUNT}"]},
        )
    try:
        async with session.begin_nested():
            passkey = (
                await session.scalars(
                    insert(Passkey)
                    .values(
                        user_id=user.id,
                        credential_id=verified.credential_id,
                        public_key=verified.credential_public_key,
                        sign_count=verified.sign_count,
                        name=name,
                    )
                    .returning(Passkey)
                )
            ).one()
    except IntegrityError as error:
        if violated_constraint(error) != "uq_passkeys_credential_id":
            raise
        raise Conflict(
            "This passkey is already registered.", {"credential": ["is registered"]}
        ) from error
    await audit.record(
        session,
        AuditAction.PASSKEY_REGISTERED,
        origin,
        actor=user,
        subject=user,
        passkey_id=passkey.id,
        name=name,
    )
    return passkey


async def begin_sign_in(session: AsyncSession, rp: RelyingParty) -> Ceremony:
    """Options for `navigator.credentials.get`, for any account (the authenticator offers
    its passkeys for this site), with user verification."""
    webauthn = _webauthn()
    options = webauthn.generate_authentication_options(
        rp_id=rp.id,
        timeout=int(rp.ceremony_ttl.total_seconds() * 1000),
        user_verification=webauthn.helpers.structs.UserVerificationRequirement.REQUIRED,
    )
    token = await _open(session, CeremonyPurpose.SIGN_IN, options.challenge, None, rp.ceremony_ttl)
    return Ceremony(token, json.loads(webauthn.options_to_json(options)))


async def finish_sign_in(
    session: AsyncSession,
    rp: RelyingParty,
    origin: RequestOrigin,
    *,
    ceremony: str,
    credential: dict[str, Any],
) -> User:
    """The account whose passkey signed the challenge. 401 for a stale ceremony, an
    unknown credential or an answer that does not verify (audited), 403 if deactivated."""
    challenge = await _claim(session, ceremony, CeremonyPurpose.SIGN_IN, None)
    await session.commit()  # used up, whatever the answer turns out to be
    if challenge is None:
        raise Unauthorized("The sign-in is unknown, used or expired: start again.", _CEREMONY_GONE)
    webauthn = _webauthn()
    try:
        parsed = webauthn.helpers.parse_authentication_credential_json(credential)
    except webauthn.helpers.exceptions.WebAuthnException as error:
        raise InvalidInput(
            "The authenticator's answer is malformed.", {"credential": [str(error)]}
        ) from error
    found = (
        await session.execute(
            select(Passkey, User)
            .join(User, User.id == Passkey.user_id)
            .where(Passkey.credential_id == parsed.raw_id)
        )
    ).one_or_none()
    if found is None:
        raise Unauthorized(
            "This passkey is not registered here.", {"credential": ["is not registered"]}
        )
    passkey, user = found
    try:
        verified = webauthn.verify_authentication_response(
            credential=parsed,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origins,
            credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=True,
        )
    except webauthn.helpers.exceptions.WebAuthnException as error:
        await audit.record(
            session,
            AuditAction.LOGIN_FAILED,
            origin,
            actor=None,
            subject=user,
            reason="passkey not verified",
        )
        await session.commit()  # the failure stays on record
        raise Unauthorized(
            "The passkey's signature was not accepted.", {"credential": [str(error)]}
        ) from error
    if user.deactivated_at is not None:
        await audit.record(
            session,
            AuditAction.LOGIN_FAILED,
            origin,
            actor=None,
            subject=user,
            reason="deactivated",
        )
        await session.commit()
        raise Forbidden("The account is deactivated.", _DEACTIVATED)
    await session.execute(
        update(Passkey)
        .where(Passkey.id == passkey.id)
        .values(sign_count=verified.new_sign_count, last_used_at=func.now())
    )
    await audit.record(
        session,
        AuditAction.LOGIN_SUCCEEDED,
        origin,
        actor=user,
        subject=user,
        method="passkey",
        passkey_id=passkey.id,
    )
    return user


async def list_passkeys(session: AsyncSession, user_id: int) -> list[Passkey]:
    statement = select(Passkey).where(Passkey.user_id == user_id).order_by(Passkey.id)
    return list(await session.scalars(statement))


async def remove(session: AsyncSession, user: User, passkey_id: int, origin: RequestOrigin) -> None:
    """The passkey no longer signs in; 404 for another account's."""
    name = await session.scalar(
        delete(Passkey)
        .where(Passkey.id == passkey_id, Passkey.user_id == user.id)
        .returning(Passkey.name)
    )
    if name is None:
        raise NotFound("passkey")
    await audit.record(
        session,
        AuditAction.PASSKEY_REMOVED,
        origin,
        actor=user,
        subject=user,
        passkey_id=passkey_id,
        name=name,
    )
