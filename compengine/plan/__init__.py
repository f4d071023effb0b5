"""Plan files: YAML with line numbers -> validated, typed plan versions."""
