"""The per-step report: step metrics and periods, aggregated and merged with the text signals."""
