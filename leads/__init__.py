"""Leads: turning listings into scored leads (`leads.process`) and keeping them in a store."""
