"""Graph passes. ``pipeline.py`` holds the order; every other module is one pass."""
