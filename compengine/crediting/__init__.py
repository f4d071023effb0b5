"""Crediting: who holds a role on an account in a month, and with which share."""
