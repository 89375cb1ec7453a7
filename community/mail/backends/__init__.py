"""Delivery backends: console (prints) and postmark (Postmark's HTTP API over httpx)."""
