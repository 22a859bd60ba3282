"""PyTorch: walking a live ``nn.Module`` on the meta device (``walk``), tracing its forward
(``trace``), the model value it gives (``model``) and the reconciliation with PyTorch (``reconcile``)."""
