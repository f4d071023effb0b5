"""Who may use the API and the web pages: tokens, roles and sessions (beside cycles)."""
