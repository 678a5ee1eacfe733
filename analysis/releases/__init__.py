"""Tooling over whole releases: the registry that freezes them, the comparison between two, the REFI-QDA exports."""
