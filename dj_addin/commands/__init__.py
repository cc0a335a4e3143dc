"""One module per ``dj`` command; each defines ``register(group)``."""
