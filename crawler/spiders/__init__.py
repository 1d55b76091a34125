"""Spiders of the NetSword crawler: one generic, profile-driven marketplace spider."""
