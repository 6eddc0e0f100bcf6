"""The tags in use (`/api/tags`)."""
