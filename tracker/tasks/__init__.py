"""Tasks handed to agencies by a letter, their workflow and their record."""
