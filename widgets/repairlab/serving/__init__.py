"""How the course is served to students by Voilà: one place for the configuration."""
