"""The lab's commands of `python -m inference` (see inference/__main__.py)."""
