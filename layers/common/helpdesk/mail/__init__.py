"""The e-mail channel: parsing what customers send, composing what we send, and the signatures
that tie a reply to its ticket. Pure Python (no AWS calls): the functions do the I/O."""
