"""A comment on an article (removed with it: ON DELETE CASCADE)."""

from sqlalchemy import BigInteger, ForeignKey, Identity, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base, Timestamps
from app.identity.users.models import User


class Comment(Timestamps, Base):
    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_article_id_created_at", "article_id", "created_at"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    body: Mapped[str] = mapped_column(Text)
    article_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("articles.id", ondelete="CASCADE")
    )
    author_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )

    author: Mapped[User] = relationship(lazy="raise")
