"""Webhooks: a URL per survey told of each completed response by a signed POST, retried for a day.

`targets` decides which URLs may be told (https, public addresses in production), `signing` signs,
`deliveries` records each notice in the resident's transaction and sends it from the queue.
"""
