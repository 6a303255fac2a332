"""Monitoring: Prometheus metrics of requests, pools, caches, the change feed, the audit
seal, visits, sign-ins and memory, at /metrics."""
