"""The "fades by tomorrow" forecast: curve features, the fitted model, the
replay of a real stream that trains and scores it."""
