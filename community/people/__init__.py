"""The professionals themselves: who may see a profile, the member directory, recognitions."""
