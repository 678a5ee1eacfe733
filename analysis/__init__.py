"""Analysis code shared by the book's chapters and tests.

``paths`` names every location; ``data`` loads and checks immutable data
releases. Nothing is imported here so that ``import analysis.paths`` stays
cheap during the build.
"""
