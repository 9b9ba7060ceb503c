"""Exports and charts built from the services' data (pandas, openpyxl, matplotlib Figure)."""
