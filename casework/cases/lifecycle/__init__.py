"""A case's life: closure (request and decision), re-opening, erasure and retention."""
