"""``reconcile``: symparam beside the framework a live model comes from (Keras or PyTorch).

The model is recognised by what it offers, without importing either framework: a PyTorch
module has ``named_parameters`` and ``named_modules``; anything else is read as Keras.
"""

from __future__ import annotations

from symparam.importers.reconciliation import Reconciliation


def reconcile(model, input_shape=None, *, symbolic=()) -> Reconciliation:
    """Compare symparam with a live Keras model or PyTorch module built in this process.

    Args:
        model: a Sequential or functional Keras model, or a ``torch.nn.Module``.
        input_shape: PyTorch only: the input's shape, ``None`` at the batch axis (positional,
            as ``torchinfo.summary(model, input_size)`` takes it).
        symbolic: rules such as ``"Dense.units=u"`` so that rows show formulas in ``u``.
    """
    if hasattr(model, "named_parameters") and hasattr(model, "named_modules"):
        from symparam.importers.torch.reconcile import reconcile_torch
        return reconcile_torch(model, input_shape, symbolic=symbolic)
    from symparam.importers.keras.reconcile import reconcile_keras
    return reconcile_keras(model, symbolic=symbolic)
