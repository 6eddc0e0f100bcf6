"""Profiles and follows (`/api/profiles/{username}`, and v2 with the follower count)."""
