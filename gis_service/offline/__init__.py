"""Offline work areas: what a phone downloads to work without signal (tiles, base map,
records), described by a manifest whose entries carry ETags so a refresh moves only
what changed."""
