"""Server-rendered dashboard pages: thin views over selectors and the channel's services."""
