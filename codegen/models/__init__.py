"""models.py of a package: datamodel-code-generator (dcg.py) or the builtin emitter (builtin/),
behind one interface."""
