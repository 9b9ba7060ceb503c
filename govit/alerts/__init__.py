"""Deadline alerts (R-ALERT): the scan, the inbox and the dashboards."""
