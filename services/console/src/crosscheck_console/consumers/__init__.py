"""The console consumes no topic: it keeps no data of its own and reads the services'
APIs with each user's token."""
