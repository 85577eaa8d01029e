"""Desk block of the roster (探访关爱): people not yet reached this week."""
