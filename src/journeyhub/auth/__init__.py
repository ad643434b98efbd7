"""Trust: API keys now; roles, audit log and GDPR build here."""
