"""Files of a case: checked, cleaned of metadata, encrypted under the case's key."""
