"""corridor-sim: discrete-event simulation of trade corridors."""

__version__ = "0.1.0"
