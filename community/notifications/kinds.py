"""What each kind of notification is called and how it is emailed unless the member chooses."""

from __future__ import annotations

from community.notifications.models import Delivery, NotificationKind

#: the settings page's wording, in the order it lists them
LABELS: dict[NotificationKind, str] = {
    NotificationKind.REPLY: "Replies in discussions I started or watch",
    NotificationKind.QUOTE: "Replies quoting me",
    NotificationKind.MENTION: "@mentions of me",
    NotificationKind.NEW_THREAD: "New discussions in groups I watch",
    NotificationKind.JOIN_REQUEST: "Requests to join a group I facilitate",
    NotificationKind.REQUEST_DECIDED: "Decisions on my requests to join",
    NotificationKind.INVITATION: "Invitations to groups",
    NotificationKind.PROMOTED: "A seat for me from an event's waitlist",
    NotificationKind.EVENT_CHANGED: "Changes to events I am going to, and cancellations",
    NotificationKind.FLAG: "Flagged posts in groups I facilitate",
    NotificationKind.EVENT_REMINDER: "Reminders before events I am going to",
}

DEFAULTS: dict[NotificationKind, Delivery] = {
    NotificationKind.REPLY: Delivery.IMMEDIATELY,
    NotificationKind.QUOTE: Delivery.IMMEDIATELY,
    NotificationKind.MENTION: Delivery.IMMEDIATELY,
    NotificationKind.NEW_THREAD: Delivery.DIGEST,
    NotificationKind.JOIN_REQUEST: Delivery.IMMEDIATELY,
    NotificationKind.REQUEST_DECIDED: Delivery.IMMEDIATELY,
    NotificationKind.INVITATION: Delivery.IMMEDIATELY,
    NotificationKind.PROMOTED: Delivery.IMMEDIATELY,
    NotificationKind.EVENT_CHANGED: Delivery.IMMEDIATELY,
    NotificationKind.FLAG: Delivery.IMMEDIATELY,
    NotificationKind.EVENT_REMINDER: Delivery.IMMEDIATELY,
}

#: kinds whose email only makes sense at once (a reminder in tomorrow's digest is too late)
NO_DIGEST = frozenset({NotificationKind.EVENT_REMINDER})
