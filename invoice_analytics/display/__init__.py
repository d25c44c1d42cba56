"""Display: rupiah formatting, charts, tables, KPIs, filtering and the notebook panel.

Imported on first use by ``invoice_analytics``: the charts pull in matplotlib and the panel ipywidgets. The
analytics never import this package; it imports the analytics.
"""
