"""The console's edges: the identity provider, the session cookie, the services' APIs,
and the printable files."""
