"""One logger and one metrics object for the whole process, imported everywhere.

No Tracer: it imports the X-Ray SDK even when tracing is off, which costs more cold start than
this service's handlers themselves (see docs/decisions.md)."""

from aws_lambda_powertools import Logger, Metrics

logger = Logger()
metrics = Metrics()
