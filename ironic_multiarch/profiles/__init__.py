"""Architecture profiles: one declarative module per CPU architecture."""
