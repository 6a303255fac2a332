"""Coordinates on the ground: CGCS2000 Gauss-Krueger zones, the GCJ-02 offset of Chinese
web maps and its inverse, and reading a point from a surveyor's table."""
