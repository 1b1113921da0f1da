"""HTTP routes: thin layers over ``pipeline`` and the store."""
