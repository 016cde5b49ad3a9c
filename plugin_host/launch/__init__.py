"""Launch from the record system: token verification, replay guard, sessions, client binding."""
