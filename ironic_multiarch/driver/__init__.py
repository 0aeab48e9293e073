"""The only package that imports Ironic: boot interfaces, hardware types."""
