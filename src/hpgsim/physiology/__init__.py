"""The physiology: the parameter table, mass-action binding and the compiled right-hand side."""
