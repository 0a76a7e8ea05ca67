"""The business rules, each service depending on the small store Protocols (store.protocols)."""
