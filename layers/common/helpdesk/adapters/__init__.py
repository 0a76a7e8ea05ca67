"""Other AWS services the e-mail channel uses: SES for sending, S3 for the mail bucket."""
