"""Collections reports: past-due, aging and DSO, and the collector's morning digest.

The database groups and sums (``connectors/oracle/receivables.py``, ``report_reads.py``); this
package turns those figures into reports and formats them. A builder (``build_past_due``,
``build_aging``, ``build_dso``) returns a data object with a ``document()``: the columns, rows,
totals, chart and definitions every renderer (CSV, JSON, HTML, XLSX) works from, so a web page can
mount the same report with :func:`jobs.reports.html_out.report_fragment`.
"""
