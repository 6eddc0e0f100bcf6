"""Webhook endpoints a user registers, and the signed deliveries of the events they chose.

The platform side (signatures, the SSRF guard, the pinned POST) is app/core/webhooks; the
deliveries run as jobs on app/core/jobs.
"""
