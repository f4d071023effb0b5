"""REST API and web pages for payroll and reps."""
