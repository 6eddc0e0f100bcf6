"""Route dependencies of the mailed links: how often one may ask for a mail."""

from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request

from app.core.ratelimit import LoginThrottle
from app.deps import SettingsDep


async def get_mail_throttle(request: Request, settings: SettingsDep) -> LoginThrottle:
    return LoginThrottle(
        client=request.client.host if request.client else "",
        limit=settings.mail_request_limit,
        window=timedelta(seconds=settings.mail_request_window_seconds),
        purpose="mail",
    )


MailThrottleDep = Annotated[LoginThrottle, Depends(get_mail_throttle)]
"""Requests for mailed links per email and client address (MAIL_REQUEST_LIMIT)."""
