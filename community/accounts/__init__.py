"""Accounts: members and their profiles, passwords, verification and reset, suspension."""
