"""The RealWorld ("Conduit") API: the reference domain, removed by `make adopt`.

Profiles and follows, articles with tags and favorites, comments and their live stream. It
uses the platform (app/core) and identity (app/identity) through their public names; nothing
outside this package imports it except app/features.py and app/models.py.
"""
