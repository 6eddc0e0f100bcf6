"""Articles, their tags and favorites, lists and the feed (`/api/articles`)."""
