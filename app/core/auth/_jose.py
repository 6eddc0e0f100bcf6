"""python-jose, imported with its own backends rather than `cryptography`'s.

python-jose picks its key backends when it is first imported: `cryptography`'s whenever
that is installed (it is, for the two-factor secrets' encryption), else its native ones.
Tokens here are HMAC only (the algorithm is pinned), which the native backend computes
with the standard library's `hmac`, as well as OpenSSL would; loading `cryptography`'s
bindings for it would cost every worker ~5 MB that only two-factor operations need (they
import it on first use). So `cryptography` is hidden from the import system while jose
loads; `tests/core/test_api_imports.py` holds the API to it.
"""

import sys
from collections.abc import Sequence
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec
from types import ModuleType


class _WithoutCryptography(MetaPathFinder):
    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname.partition(".")[0] == "cryptography":
            raise ImportError(f"{fullname} is hidden while python-jose picks its backends")
        return None


_hidden = _WithoutCryptography()
sys.meta_path.insert(0, _hidden)
try:
    from jose import JWTError, jwt
    from jose.exceptions import ExpiredSignatureError, JWTClaimsError
    from jose.utils import base64url_decode
finally:
    sys.meta_path.remove(_hidden)

__all__ = ["ExpiredSignatureError", "JWTClaimsError", "JWTError", "base64url_decode", "jwt"]
