"""Offline evaluation of story clustering and categories against labelled data."""
