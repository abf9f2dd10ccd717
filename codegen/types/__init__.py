"""Schema -> type: what a response gives back (schema.py) and what callers may pass (inputs.py)."""
