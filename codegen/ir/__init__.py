"""The intermediate representation: frozen data the later stages read (nodes.py) and typed
references to Python types (typeref.py)."""
