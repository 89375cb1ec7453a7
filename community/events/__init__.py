"""Learning events: scheduling, RSVP with capacity and waitlist (reminders, calendars and
attendance come next)."""
