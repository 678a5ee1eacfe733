"""``make bench``: the author loop timed against Jupyter Book's own execution (see benchmarks/README.md).

``python -m benchmarks.run`` is the command line; it writes BENCHMARKS.md and benchmarks/results.json.
"""
