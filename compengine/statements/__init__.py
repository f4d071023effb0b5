"""Payout statements (spec section 9): the view of a payee's period rendered as HTML and
PDF/A-3b from one set of templates."""
