"""Identity: who is who. Basic stitching (ids, email, phone) and, later, golden records."""
