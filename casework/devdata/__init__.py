"""Development data: the demo installation (`flask demo`) and generated case loads
(`flask seed`). Never for production (the commands refuse). No feature imports this package:
it builds its data through the features' models and operations, from above."""
