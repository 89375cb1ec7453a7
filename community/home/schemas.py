"""The home page's one command: the member's yearly CPD/CET goal."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from pydantic import Field

from community.accounts.schemas import CPD_GOAL_MESSAGE, CpdGoalHours
from community.commands import Command


class CpdGoal(Command):
    """Set the yearly goal of CPD/CET hours, or clear it (null, or a blank field)."""

    messages: ClassVar[Mapping[str, str]] = {"cpd_goal_hours": CPD_GOAL_MESSAGE}
    cpd_goal_hours: CpdGoalHours = Field(
        description="Hours a year, from 1 to 1000; null (or blank) for no goal"
    )
