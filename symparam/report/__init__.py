"""Turning report values into text: views (plain data), SymPy printers, the Jinja2 renderer
(the only Jinja2 user), plots and the generated documentation."""
