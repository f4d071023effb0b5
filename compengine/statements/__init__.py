"""Rep statements as HTML and PDF."""
