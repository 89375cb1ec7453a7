"""Who may read a piece, write it and review it.

A published piece whose time has come is for everyone (unless its author deleted their
account); a draft only for its author; every other state for its author and the editors."""

from __future__ import annotations

from datetime import datetime

from community import clock
from community.accounts.models import Member
from community.errors import NotFound, PermissionDenied
from community.stories.models import Piece, PieceState

NOT_FOUND = "There is no such story or profile here."


def is_editor(actor: Member | None) -> bool:
    """Editors review pieces; admins may do all an editor does."""
    return actor is not None and (actor.is_editor or actor.is_admin)


def ensure_editor(actor: Member | None) -> Member:
    """The actor if they are an editor (or admin); PermissionDenied otherwise."""
    if actor is None or not is_editor(actor):
        raise PermissionDenied("Only editors can review stories and profiles.")
    return actor


def is_public(piece: Piece, now: datetime) -> bool:
    """Published, with its time come."""
    return (
        piece.state == PieceState.PUBLISHED
        and piece.published_at is not None
        and piece.published_at <= now
    )


def can_read(actor: Member | None, piece: Piece, *, author_deleted: bool = False) -> bool:
    """Whether the actor may see the piece at all."""
    if actor is not None and actor.id == piece.author_id:
        return True
    if author_deleted:
        return False
    if is_public(piece, clock.now()):
        return True
    return piece.state != PieceState.DRAFT and is_editor(actor)


async def access_piece(actor: Member | None, piece_id: int) -> Piece:
    """The piece, or NotFound (also for one the actor may not see: never reveal it exists)."""
    piece = await Piece.filter(id=piece_id).select_related("author").first()
    if piece is None or not can_read(actor, piece, author_deleted=piece.author.is_deleted):
        raise NotFound(NOT_FOUND)
    return piece
