"""Programmes: multi-session courses, enrolment, completion and certificates."""
