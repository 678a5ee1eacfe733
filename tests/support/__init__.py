"""Helpers shared by the tests: tiny releases, scratch projects, chart specs, the browser."""
