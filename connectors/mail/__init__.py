"""Outbound e-mail: SMTP with STARTTLS, a password from the store of secrets, nothing else."""
