"""Sphinx extensions named in ``_config.yml``: offline pages and author-year citations."""
