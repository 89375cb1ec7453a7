"""The home page: for a signed-in member, what is theirs across the site (their groups' latest
discussions, their next events, what waits for them, their CPD/CET hours against the yearly
goal they set); for a visitor, the welcome with public groups and events (#19)."""
