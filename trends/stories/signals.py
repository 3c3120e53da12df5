"""What the stories stage announces to the stages above it (editorial, web),
which listen instead of being imported here."""

from django.dispatch import Signal

# Sent inside the merge's transaction, with absorbed, kept (Story), user (None
# for the hourly pass), automatic (bool) and articles_moved (int).
story_merged = Signal()
