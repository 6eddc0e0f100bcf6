"""Outgoing webhooks, the platform side: signatures, the SSRF guard, the pinned POST.

- `signature` / `verify` / `new_secret`: HMAC-SHA256 over timestamp and body, sent in
  `SIGNATURE_HEADER`.
- `parse_destination` / `resolve_checked` / `is_allowed`: the SSRF guard; a URL whose
  host is or resolves to a refused network is a `ForbiddenDestination`.
- `post_pinned`: the POST to the address that was checked (no second resolution).

The integrations feature (app/integrations/webhooks/) decides who receives what; this
package only knows URLs, bytes and secrets.
"""

from app.core.webhooks._destinations import (
    REFUSED,
    ForbiddenDestination,
    allowed_networks,
    is_allowed,
    parse_destination,
    resolve_checked,
)
from app.core.webhooks._pinned import post_pinned
from app.core.webhooks._signing import SIGNATURE_HEADER, new_secret, signature, verify

__all__ = [
    "REFUSED",
    "SIGNATURE_HEADER",
    "ForbiddenDestination",
    "allowed_networks",
    "is_allowed",
    "new_secret",
    "parse_destination",
    "post_pinned",
    "resolve_checked",
    "signature",
    "verify",
]
