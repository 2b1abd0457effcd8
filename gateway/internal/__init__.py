"""The internal tables the gateway reads: schema, code lists and connections."""
