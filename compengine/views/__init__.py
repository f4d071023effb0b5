"""Views: what a user sees of the stored results, computed once and shared by every way of
showing it (PDF and HTML statements, later the API and the web pages)."""
