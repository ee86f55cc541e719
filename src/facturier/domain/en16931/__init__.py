"""EN 16931 semantic model (frozen dataclasses tagged with BT/BG ids) and its code lists."""
