"""What is computed on top of derivations: symbolic queries, the GPT family data, the
Keras-versus-PyTorch comparison and its conventions, and the reconciliation entry point."""
