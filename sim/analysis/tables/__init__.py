"""Result directories read back, and the tidy tables computed from them (inputs of figures and reports)."""
