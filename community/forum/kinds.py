"""What the forum notifies members of."""

from __future__ import annotations

from community.notifications.kinds import Kind
from community.notifications.models import Delivery

REPLY = Kind("reply", "Replies in discussions I started or watch", Delivery.IMMEDIATELY)
QUOTE = Kind("quote", "Replies quoting me", Delivery.IMMEDIATELY)
MENTION = Kind("mention", "@mentions of me", Delivery.IMMEDIATELY)
NEW_THREAD = Kind("new_thread", "New discussions in groups I watch", Delivery.DIGEST)
FLAG = Kind("flag", "Flagged posts in groups I facilitate", Delivery.IMMEDIATELY)
