"""Account administration: roles and deactivation, for admins (`/api/admin/users`)."""
