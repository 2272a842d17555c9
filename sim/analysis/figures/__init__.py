"""Figures drawn from tidy tables: the house style, run plots, forest plots, the network map, sweep plots."""
