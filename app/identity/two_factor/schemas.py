"""Request and response bodies of two-factor sign-in."""

from typing import Annotated

from pydantic import Field, StringConstraints

from app.core.errors import Problem
from app.core.schemas import CamelModel, NotBlank, NotNull, drop_null_defaults
from app.identity.two_factor.codes import RECOVERY_CODE_COUNT, TOTP_DIGITS
from app.identity.two_factor.service import METHODS, Method
from app.identity.users.schemas import OpaqueSecret

TotpCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=rf"^[0-9]{{{TOTP_DIGITS}}}$"),
    NotBlank,  # listed last, so its blank and NUL checks run first
    Field(description=f"The {TOTP_DIGITS} digits the authenticator app shows now."),
]
RecoveryCodeText = Annotated[
    str,
    StringConstraints(max_length=64),
    NotBlank,
    Field(description="One of the recovery codes, as printed (dashes and case optional)."),
]


class SecondFactorProof(CamelModel):
    """A code from the authenticator app, or a recovery code: exactly one of them."""

    model_config = CamelModel.model_config | {"json_schema_extra": drop_null_defaults}

    code: Annotated[TotpCode | None, NotNull()] = None
    recovery_code: Annotated[RecoveryCodeText | None, NotNull()] = None


class TwoFactorSignIn(SecondFactorProof):
    """The code step of a sign-in."""

    challenge: OpaqueSecret = Field(description="`challenge.token` of the password step's 403.")


class EnrolmentCode(CamelModel):
    code: TotpCode


class TwoFactorStatus(CamelModel):
    enabled: bool = Field(description="Whether signing in needs a code.")
    pending: bool = Field(description="Enrolled and waiting for its first code.")
    recovery_codes_left: int


class Enrolment(CamelModel):
    """The new secret: scan `otpauthUri` as a QR code, or type `secret` into the app."""

    secret: str = Field(description="Base32, for typing in.")
    otpauth_uri: str = Field(description="`otpauth://totp/…`, for a QR code.")
    digits: int = TOTP_DIGITS
    period: int = Field(default=30, description="Seconds per code.")


class RecoveryCodes(CamelModel):
    recovery_codes: list[str] = Field(
        description=f"{RECOVERY_CODE_COUNT} single-use codes, shown this once: each signs in "
        "instead of a code from the app; stored only as digests.",
    )


class ChallengeOffer(CamelModel):
    token: str = Field(description="Send it back with the code; single use.")
    expires_in: int = Field(description="Seconds it stays valid.")
    methods: list[Method] = Field(description=f"What it accepts: {', '.join(METHODS)}.")


class SignInProblem(Problem):
    """A refused sign-in: a deactivated account, or (problem type
    `urn:problem-type:two-factor-required`) a right password that needs a code next,
    with `challenge`."""

    challenge: ChallengeOffer | None = None
