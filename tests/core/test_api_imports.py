"""What an API worker does not load: each is memory in every worker for nothing.

- procrastinate and psycopg: the API writes job rows through its own session
  (app/core/jobs/_queue.py) and never runs a job; only the worker imports them.
- cryptography: tokens are HS256 only (pinned), which python-jose signs with the standard
  library's hmac; its cryptography backend would load OpenSSL's bindings (~5 MB) unused.
  cryptography is installed (two-factor secrets are encrypted with it, imported on first
  use), so python-jose is imported with it hidden (app/core/auth/_jose.py).
"""

import json
import textwrap

from tests.support.probes import last_line_printed

_PROBE = textwrap.dedent(
    """
    import json, sys
    from app.main import app
    print(json.dumps(sorted(sys.modules)))
    """
)


def test_the_api_imports_no_job_runner_and_no_cryptography() -> None:
    modules = json.loads(last_line_printed(_PROBE))
    assert "app.identity.users.router" in modules  # the probe did load the whole API
    unwanted = ("procrastinate", "psycopg", "psycopg_pool", "cryptography")
    assert [name for name in modules if name.split(".")[0] in unwanted] == []
