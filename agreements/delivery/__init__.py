"""Delivering the mail outbox: rendering messages, the unsubscribe links, and the worker.

It sits beside the web layer: it may import services, storage, security, models and Flask
(templates and URLs are built at send time, under PUBLIC_URL); services never import it.
"""
