"""Stories of change and worker profiles: written by members, reviewed by editors, published
with the consent of those in them and guarded against clients' details."""
