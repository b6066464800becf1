"""normtoets: checks municipal policy documents against the Norm Weerbare Overheid."""
__version__ = "0.1.0"
