"""The genogram's pictures as SVG: the genogram, its legend and the network map.

One place to import them from; each lives in a module of its own (``svg_genogram``,
``svg_legend``, ``svg_network``), drawn with the notation in ``svg_notation``.
"""

from __future__ import annotations

from plugins.genogram.svg_genogram import genogram_svg, legend_svg, render_genogram
from plugins.genogram.svg_network import network_svg

__all__ = ["genogram_svg", "legend_svg", "network_svg", "render_genogram"]
