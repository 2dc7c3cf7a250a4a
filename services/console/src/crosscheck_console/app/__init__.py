"""What each page reads and does, through the services' APIs with the user's token."""
