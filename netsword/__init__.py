"""NetSword: find counterfeit and infringing goods sold online and moved through parcels."""

__version__ = "0.1.0"
