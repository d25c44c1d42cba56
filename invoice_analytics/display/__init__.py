"""Display: charts, tables, KPIs, filtering and the notebook panel (imported on first use; it imports the analytics).

The charts pull in matplotlib and the panel ipywidgets.
"""
