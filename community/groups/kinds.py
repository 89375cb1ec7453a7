"""What groups notify members of."""

from __future__ import annotations

from community.notifications.kinds import Kind
from community.notifications.models import Delivery

JOIN_REQUEST = Kind("join_request", "Requests to join a group I facilitate", Delivery.IMMEDIATELY)
REQUEST_DECIDED = Kind("request_decided", "Decisions on my requests to join", Delivery.IMMEDIATELY)
INVITATION = Kind("invitation", "Invitations to groups", Delivery.IMMEDIATELY)
