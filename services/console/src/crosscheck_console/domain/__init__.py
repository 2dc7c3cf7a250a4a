"""What the console decides without I/O: who may open which page, and how a round's
plan becomes the table people read."""
