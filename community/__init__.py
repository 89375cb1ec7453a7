"""community: communities of practice, fellowship groups and learning events."""
