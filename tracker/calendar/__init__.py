"""Working-day calendar of Vietnam: public holidays, government swaps, working-day arithmetic."""
