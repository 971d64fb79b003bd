"""Cases: registering and managing victims of trafficking, on HTCDS 2.0."""
