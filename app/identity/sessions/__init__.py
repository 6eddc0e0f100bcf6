"""Sign-in sessions and refresh tokens: list, revoke, refresh, log out (`/api/user/sessions`)."""
