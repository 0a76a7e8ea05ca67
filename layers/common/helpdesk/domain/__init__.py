"""The domain: what a ticket, a message and a status change are, with no I/O."""
