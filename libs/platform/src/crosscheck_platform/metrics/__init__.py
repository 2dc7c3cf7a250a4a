"""Prometheus metrics, the same for every service: request durations measured as requests
pass, and gauges read from their sources (database, Kafka, the consumers) at scrape
time, served at /metrics."""

from crosscheck_platform.metrics.endpoint import install_metrics
from crosscheck_platform.metrics.scrape import MetricsSource

__all__ = ["MetricsSource", "install_metrics"]
