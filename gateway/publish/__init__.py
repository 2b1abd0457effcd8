"""The publish pipeline: internal tables in, an immutable public release out."""
