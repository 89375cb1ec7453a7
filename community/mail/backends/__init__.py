"""Delivery backends: console (prints) and, later, postmark (HTTP API over httpx)."""
