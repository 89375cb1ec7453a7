"""Notifications: the in-site inbox, email preferences, coalesced emails and the daily digest."""
