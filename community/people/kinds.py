"""What the people feature notifies members of."""

from __future__ import annotations

from community.notifications.kinds import Kind
from community.notifications.models import Delivery

RECOGNITION = Kind("recognition", "Recognitions given to me or taken back", Delivery.IMMEDIATELY)
