"""Spreadsheet imports of federations, unions, members and quotas (CSV or XLSX)."""
