"""Renderers: results and errors as text, JSON, CSV or Rich tables, apart from the math."""
