"""What programmes notify members of."""

from __future__ import annotations

from community.notifications.kinds import Kind
from community.notifications.models import Delivery

ENROLMENT = Kind(
    "programme_enrolment",
    "A place for me from a programme's waitlist, and programmes I complete",
    Delivery.IMMEDIATELY,
)
