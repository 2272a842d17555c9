"""Build scripts run by hand or by make targets (seeds, basemap); the ``sim`` package never imports them."""
