"""What the stories feature notifies members of."""

from __future__ import annotations

from community.notifications.kinds import Kind
from community.notifications.models import Delivery

REVIEW = Kind(
    "story_review", "Stories and profiles waiting for review (editors)", Delivery.IMMEDIATELY
)
DECISION = Kind(
    "story_decision", "Editors' decisions on my stories and profiles", Delivery.IMMEDIATELY
)
EDITOR = Kind("story_editor", "Being made an editor, or no longer one", Delivery.IMMEDIATELY)
