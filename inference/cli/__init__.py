"""One module per `python -m inference` command."""
