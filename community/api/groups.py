"""API: groups (operations are added by this module to the shared registry)."""

from __future__ import annotations
