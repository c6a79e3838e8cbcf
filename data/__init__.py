"""Bundled offri resources (data files only; this file makes the folder a package in the wheel)."""
