"""Users: registration, login, the current user and their changes (`/api/users`, `/api/user`)."""
