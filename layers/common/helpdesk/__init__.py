"""Netz0 help desk: the domain shared by every Lambda function (the `common` layer)."""
