"""Imports every shipped intervention module so that each registers itself."""
