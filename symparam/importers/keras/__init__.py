"""Keras: reading a saved model's config without Keras (``config``) and, for reconciliation only,
loading it with Keras itself after that reader accepted it (``live``)."""
