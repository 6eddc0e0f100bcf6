"""Development-only tools: the `make` launcher, the embedded PostgreSQL, demo data, the
OpenAPI snapshot writer. Not part of the image (.dockerignore sends only app/ and migrations/).
"""
