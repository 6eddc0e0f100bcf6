"""Comments on articles, and their live stream over Server-Sent Events."""
