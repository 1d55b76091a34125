"""Downloader middlewares of the NetSword crawler."""
