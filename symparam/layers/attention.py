"""Attention layers: projections are weights, the attention products are not."""
