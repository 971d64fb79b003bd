"""Who looks after a case: assignment to a caseworker or supervisor of its agency."""
