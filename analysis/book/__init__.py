"""What the chapters call: the chapter context, figures, quantities, quotes, tables and the apparatus around them.

Built on ``analysis.data`` and ``analysis.claims``; never imports the tooling (``build``, ``releases``).
"""
