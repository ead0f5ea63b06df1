"""Visits and accompaniments: built in the visits issue."""
