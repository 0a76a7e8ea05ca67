"""DynamoDB: the only code that knows the table's keys, attribute names and stream images."""
