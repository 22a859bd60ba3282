"""Importers: models from other frameworks' files and objects, translated without running them."""
