"""What events notify members of, and the reminder emails they may stop."""

from __future__ import annotations

from community.notifications.kinds import Kind
from community.notifications.models import Delivery

PROMOTED = Kind("promoted", "A seat for me from an event's waitlist", Delivery.IMMEDIATELY)
EVENT_CHANGED = Kind(
    "event_changed", "Changes to events I am going to, and cancellations", Delivery.IMMEDIATELY
)
#: not a notification in the inbox: the preference for event reminder emails
EVENT_REMINDER = Kind(
    "event_reminder", "Reminders before events I am going to", Delivery.IMMEDIATELY, digest=False
)
