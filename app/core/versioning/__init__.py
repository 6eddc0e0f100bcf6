"""API versions side by side, and the retirement of an old one (RFC 9745, RFC 8594)."""
