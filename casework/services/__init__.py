"""Support plans, service records and counselling sessions."""
