"""Groups: communities of practice and fellowship groups, their members, facilitators, join
requests and invitations."""
