"""SCons tool for halo (being written)."""
