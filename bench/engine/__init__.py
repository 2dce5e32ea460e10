"""Engine benchmark: Parley's engine against a Bot Framework baseline on the same dialog."""
