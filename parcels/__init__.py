"""Postal channel: parcel manifests, keyed personal data, shipper resolution and ant-moving (蚂蚁搬家) detection.

Settings: the `[parcels]` section of netsword.toml (netsword.config.ParcelsConfig); see docs/parcels.md.
"""
