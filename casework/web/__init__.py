"""The request side every feature shares: the route guard, the object loader, form and view
helpers, error handlers, template helpers, headers, navigation and the unit of work.

Features import from here; nothing here imports a feature (the app factory wires them)."""
