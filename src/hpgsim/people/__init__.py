"""The men: patients as value objects and the mapping from a man to his parameters."""
