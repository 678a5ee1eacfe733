"""The bottom layer: releases read, verified and logged (``release``), source documents (``sources``), atomic writes.

Imports nothing from the layers above it; importing the package loads nothing.
"""
